import { digits, e164, secret, shown, text } from '../field-schemas';
import type { ServiceDefinition } from '../service-definition';

/** The WhatsApp Business Platform's Cloud API, through a Meta app. */
export const WHATSAPP: ServiceDefinition = {
  name: 'whatsapp',
  displayName: 'WhatsApp Business (Cloud API)',
  description:
    'A Meta app using the WhatsApp Cloud API: it sends from a business phone number with a ' +
    'system user access token, and verifies webhooks with the app secret and a verify token.',
  docs: [
    {
      title: 'Get started with the WhatsApp Cloud API',
      url: 'https://developers.facebook.com/docs/whatsapp/cloud-api/get-started',
    },
    {
      title: 'Access tokens (system user tokens)',
      url: 'https://developers.facebook.com/docs/whatsapp/access-tokens',
    },
    {
      title: 'App ID and App Secret (App Dashboard → Basic settings)',
      url: 'https://developers.facebook.com/documentation/development/create-an-app/app-dashboard/basic-settings',
    },
    {
      title: 'Webhooks: verification requests and payload signatures',
      url: 'https://developers.facebook.com/docs/graph-api/webhooks/getting-started/',
    },
  ],
  config: {
    client_id: shown(digits('App ID', 'Meta App ID (App Dashboard → Settings → Basic)')),
    client_secret: secret(
      text('App secret', 'Meta App Secret; also signs webhooks (X-Hub-Signature-256)'),
    ),
  },
  additional_data: {
    access_token: secret(
      text('Access token', 'System user (or business integration system user) access token'),
      true,
    ),
    phone_number_id: shown(
      digits('Phone number ID', 'The business phone number that sends messages'),
      true,
    ),
    waba_id: shown(digits('WhatsApp Business Account ID', 'The WABA of the phone number'), true),
    webhook_verify_token: secret(
      text('Webhook verify token', 'The Verify Token chosen for the webhook (hub.verify_token)'),
    ),
    business_id: shown(digits('Business portfolio ID', 'Meta Business portfolio of the WABA')),
    display_phone_number: shown(e164('Display phone number', 'E.164, e.g. +15551234567')),
  },
};
