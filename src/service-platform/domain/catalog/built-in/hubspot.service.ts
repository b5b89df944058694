import {
  digits,
  guid,
  redirectUri,
  refreshToken,
  scopes,
  secret,
  shown,
  text,
} from '../field-schemas';
import type { ServiceDefinition } from '../service-definition';

/** A HubSpot public app (OAuth), or a private app's access token. */
export const HUBSPOT: ServiceDefinition = {
  name: 'hubspot',
  displayName: 'HubSpot',
  description:
    'A HubSpot app: its client id and secret (the secret also signs webhooks, ' +
    'X-HubSpot-Signature-v3), installed in a HubSpot account (hub id).',
  docs: [
    {
      title: 'Public apps (Auth tab: App ID, client ID, client secret)',
      url: 'https://developers.hubspot.com/docs/apps/legacy-apps/public-apps/overview',
    },
    {
      title: 'Authentication overview',
      url: 'https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/overview',
    },
    { title: 'Private apps', url: 'https://developers.hubspot.com/docs/api/private-apps' },
    {
      title: 'Validating requests (webhook signatures)',
      url: 'https://developers.hubspot.com/docs/api/webhooks/validating-requests',
    },
  ],
  config: {
    client_id: shown(guid('Client ID', 'The app’s Auth tab')),
    client_secret: secret(text('Client secret', 'The app’s Auth tab; also signs webhooks')),
  },
  additional_data: {
    app_id: shown(digits('App ID', 'The app’s numeric id')),
    hub_id: shown(digits('Hub ID', 'The HubSpot account (portal) the app is installed in')),
    redirect_uri: redirectUri('One of the app’s redirect URLs'),
    scopes: scopes('e.g. ["crm.objects.contacts.read"]'),
    private_app_token: secret(
      text('Private app access token', 'For a single account, instead of OAuth'),
    ),
    refresh_token: refreshToken('Issued per installation'),
  },
};
