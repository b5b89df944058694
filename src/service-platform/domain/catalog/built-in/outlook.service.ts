import { guid, redirectUri, scopes, secret, shown, text } from '../field-schemas';
import type { ServiceDefinition } from '../service-definition';

/** A directory (tenant) id: a GUID, a verified domain, or one of Entra's three aliases. */
const DIRECTORY =
  '^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|' +
  '([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.)+[a-zA-Z]{2,63}|common|organizations|consumers)$';

/** Microsoft Outlook through Microsoft Graph: an app registration of Microsoft Entra ID. */
export const OUTLOOK: ServiceDefinition = {
  name: 'outlook',
  displayName: 'Microsoft Outlook (Microsoft Graph)',
  description:
    'An app registration of Microsoft Entra ID calling Microsoft Graph (mail, calendar). ' +
    'App-only access (client credentials) needs the directory (tenant) id.',
  docs: [
    {
      title: 'Register an application with the Microsoft identity platform',
      url: 'https://learn.microsoft.com/en-us/entra/identity-platform/quickstart-register-app',
    },
    {
      title: 'OAuth 2.0 client credentials flow',
      url: 'https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow',
    },
    {
      title: 'Get access without a user (Microsoft Graph)',
      url: 'https://learn.microsoft.com/en-us/graph/auth-v2-service',
    },
    {
      title: 'Get access on behalf of a user (Microsoft Graph)',
      url: 'https://learn.microsoft.com/en-us/graph/auth-v2-user',
    },
  ],
  config: {
    client_id: shown(
      guid('Application (client) ID', 'Overview page of the app registration (not its Object ID)'),
    ),
    client_secret: secret(
      text(
        'Client secret value',
        'Certificates & secrets → Client secrets: the Value (not the Secret ID); shown once',
      ),
    ),
    tenant_id: shown(
      text(
        'Directory (tenant) ID',
        'The Entra tenant: its GUID, a verified domain (contoso.onmicrosoft.com), or common / organizations / consumers',
        { pattern: DIRECTORY },
      ),
      true,
    ),
  },
  additional_data: {
    redirect_uri: redirectUri('A redirect URI of the registration (delegated access only)'),
    scopes: scopes(
      'e.g. ["Mail.Read", "offline_access"], or ["https://graph.microsoft.com/.default"]',
    ),
    mailbox: shown(
      text('Mailbox', 'User id or user principal name acted on with app-only access', {
        maxLength: 320,
      }),
    ),
    client_secret_expires_at: shown(
      text('Client secret expiry', 'When the client secret expires, for rotation reminders', {
        format: 'date-time',
      }),
    ),
  },
};
