import { redirectUri, refreshToken, scopes, secret, shown, text, url } from '../field-schemas';
import type { ServiceDefinition } from '../service-definition';

/** A Salesforce connected app (or external client app). */
export const SALESFORCE: ServiceDefinition = {
  name: 'salesforce',
  displayName: 'Salesforce',
  description:
    'A Salesforce connected app: its consumer key and secret, and the org’s My Domain login URL. ' +
    'The JWT bearer flow also needs a username and the private key of the app’s certificate.',
  docs: [
    {
      title: 'OAuth 2.0 web server flow',
      url: 'https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm&type=5',
    },
    {
      title: 'OAuth 2.0 JWT bearer flow',
      url: 'https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm&type=5',
    },
    {
      title: 'Create a connected app (consumer key and secret)',
      url: 'https://developer.salesforce.com/docs/sales/datadotcom-api/guide/quickstart_setupauth.html',
    },
  ],
  config: {
    client_id: shown(text('Consumer key', 'The connected app’s consumer key', { maxLength: 512 })),
    client_secret: secret(text('Consumer secret', 'The connected app’s consumer secret')),
    tenant_id: shown(
      text('Org ID', 'The Salesforce org id (00D…)', {
        pattern: '^00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$',
      }),
    ),
  },
  additional_data: {
    login_url: shown(
      text(
        'Login URL',
        'My Domain login URL, e.g. https://mydomain.my.salesforce.com, or https://login.salesforce.com / https://test.salesforce.com',
        { format: 'uri', pattern: '^https://' },
      ),
      true,
    ),
    instance_url: shown(url('Instance URL', 'instance_url of the token answer')),
    redirect_uri: redirectUri('The connected app’s callback URL'),
    scopes: scopes('e.g. ["api", "refresh_token"]'),
    jwt_username: shown(
      text('JWT username', 'The Salesforce user the JWT bearer flow acts as', { format: 'email' }),
    ),
    jwt_private_key: secret(
      text('JWT private key', 'PEM private key of the certificate uploaded to the app'),
    ),
    refresh_token: refreshToken('Issued per connection'),
  },
};
