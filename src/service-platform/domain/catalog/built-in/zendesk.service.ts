import { redirectUri, scopes, secret, shown, text } from '../field-schemas';
import type { ServiceDefinition } from '../service-definition';

/** A Zendesk Support OAuth client of one Zendesk account. */
export const ZENDESK: ServiceDefinition = {
  name: 'zendesk',
  displayName: 'Zendesk Support',
  description:
    'An OAuth client of a Zendesk account (Admin Center → Apps and integrations → APIs → OAuth ' +
    'Clients). Every endpoint is under the account’s subdomain.',
  docs: [
    {
      title: 'Using OAuth authentication with your application',
      url: 'https://support.zendesk.com/hc/en-us/articles/4408845965210',
    },
    {
      title: 'OAuth Clients API',
      url: 'https://developer.zendesk.com/api-reference/ticketing/oauth/oauth_clients/',
    },
    {
      title: 'Creating and using OAuth tokens with the API',
      url: 'https://developer.zendesk.com/documentation/authentication/creating-and-using-oauth-tokens-with-the-api',
    },
  ],
  config: {
    client_id: shown(
      text('Unique identifier', 'The OAuth client’s unique identifier', { maxLength: 512 }),
    ),
    client_secret: secret(text('Secret', 'The OAuth client’s secret; shown in full once')),
  },
  additional_data: {
    subdomain: shown(
      text('Subdomain', 'The {subdomain} of https://{subdomain}.zendesk.com', {
        pattern: '^[a-z0-9][a-z0-9-]{0,62}$',
      }),
      true,
    ),
    redirect_uri: redirectUri('One of the OAuth client’s redirect URLs'),
    scopes: scopes('e.g. ["read", "write"] or ["tickets:read"]'),
    client_kind: shown({
      type: 'string',
      title: 'Client kind',
      description: 'Public clients must use PKCE',
      enum: ['public', 'confidential'],
    }),
    api_token_email: shown(
      text('API token email', 'Agent or admin email used with an API token', { format: 'email' }),
    ),
    api_token: secret(text('API token', 'Admin Center API token (full account access)')),
  },
};
