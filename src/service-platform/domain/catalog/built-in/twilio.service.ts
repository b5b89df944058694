import { e164, secret, shown, text } from '../field-schemas';
import type { ServiceDefinition } from '../service-definition';

const sid = (prefix: string, title: string, description: string) =>
  text(title, description, { pattern: `^${prefix}[0-9a-fA-F]{32}$` });

/** A Twilio account: its SID and auth token, optionally an API key. */
export const TWILIO: ServiceDefinition = {
  name: 'twilio',
  displayName: 'Twilio',
  description:
    'A Twilio account: the Account SID and Auth Token (which also validates X-Twilio-Signature on ' +
    'webhooks); an API key (SID and secret) is preferred for REST calls.',
  docs: [
    { title: 'What is a SID?', url: 'https://www.twilio.com/docs/glossary/what-is-a-sid' },
    { title: 'API Keys', url: 'https://www.twilio.com/docs/iam/keys/api-key-resource' },
    {
      title: 'Auth tokens and how to change them',
      url: 'https://help.twilio.com/articles/223136027-Auth-Tokens-and-How-to-Change-Them',
    },
    {
      title: 'Webhooks security',
      url: 'https://www.twilio.com/docs/usage/webhooks/webhooks-security',
    },
  ],
  config: {
    client_id: shown(sid('AC', 'Account SID', 'AC followed by 32 hexadecimal digits')),
    client_secret: secret(text('Auth token', 'The account’s auth token')),
  },
  additional_data: {
    api_key_sid: shown(sid('SK', 'API key SID', 'SK followed by 32 hexadecimal digits')),
    api_key_secret: secret(text('API key secret', 'Shown once, when the key is created')),
    messaging_service_sid: shown(
      sid('MG', 'Messaging Service SID', 'MG followed by 32 hexadecimal digits'),
    ),
    from_number: shown(e164('From number', 'Sender phone number, E.164')),
    phone_number_sid: shown(sid('PN', 'Phone number SID', 'PN followed by 32 hexadecimal digits')),
  },
  constraints: [
    // An API key is its SID and its secret: one without the other is a mistake.
    {
      properties: {
        additional_data: {
          dependencies: { api_key_sid: ['api_key_secret'], api_key_secret: ['api_key_sid'] },
        },
      },
    },
  ],
};
