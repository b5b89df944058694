import { redirectUri, scopes, secret, shown, text } from '../field-schemas';
import type { ServiceDefinition } from '../service-definition';

/** A Slack app installed in a workspace. */
export const SLACK: ServiceDefinition = {
  name: 'slack',
  displayName: 'Slack',
  description:
    'A Slack app: it calls the Web API with its bot token and verifies requests from Slack with ' +
    'its signing secret. An incoming webhook URL is itself a credential (a secret).',
  docs: [
    {
      title: 'Installing with OAuth',
      url: 'https://api.slack.com/authentication/oauth-v2',
    },
    { title: 'Token types', url: 'https://api.slack.com/authentication/token-types' },
    {
      title: 'Verifying requests from Slack (signing secret)',
      url: 'https://api.slack.com/authentication/verifying-requests-from-slack',
    },
    {
      title: 'Sending messages using incoming webhooks',
      url: 'https://api.slack.com/messaging/webhooks',
    },
  ],
  config: {
    client_id: shown(text('Client ID', 'Basic Information → App Credentials', { maxLength: 512 })),
    client_secret: secret(text('Client secret', 'Basic Information → App Credentials')),
  },
  additional_data: {
    signing_secret: secret(
      text('Signing secret', 'Basic Information → App Credentials; verifies X-Slack-Signature'),
      true,
    ),
    bot_token: secret(
      text('Bot user OAuth token', 'xoxb-…, from installing the app to the workspace', {
        pattern: '^xoxb-',
      }),
      true,
    ),
    user_token: secret(text('User OAuth token', 'xoxp-…', { pattern: '^xoxp-' })),
    app_token: secret(text('App-level token', 'xapp-… (Socket Mode)', { pattern: '^xapp-' })),
    incoming_webhook_url: secret(
      text(
        'Incoming webhook URL',
        'https://hooks.slack.com/services/…: anyone holding it can post',
        {
          pattern: '^https://hooks\\.slack\\.com/',
        },
      ),
    ),
    app_id: shown(text('App ID', 'A…', { pattern: '^A[A-Z0-9]+$' })),
    team_id: shown(text('Workspace (team) ID', 'T…', { pattern: '^T[A-Z0-9]+$' })),
    redirect_uri: redirectUri('The app’s OAuth redirect URL'),
    scopes: scopes('Bot scopes, e.g. ["chat:write", "channels:read"]'),
  },
};
