import { redirectUri, refreshToken, scopes, secret, shown, text } from '../field-schemas';
import type { ServiceDefinition, ServiceDocLink } from '../service-definition';

/** A Google OAuth 2.0 client (Google Cloud console → APIs & Services → Credentials). */
const GOOGLE_OAUTH_CLIENT: ServiceDefinition['config'] = {
  client_id: shown(
    text('Client ID', 'OAuth 2.0 client ID, ending with .apps.googleusercontent.com', {
      pattern: '\\.apps\\.googleusercontent\\.com$',
      maxLength: 512,
    }),
  ),
  client_secret: secret(
    text('Client secret', 'The client secret of the OAuth client; shown once when created'),
  ),
};

const GOOGLE_OAUTH_DOCS: readonly ServiceDocLink[] = [
  {
    title: 'Using OAuth 2.0 for web server applications',
    url: 'https://developers.google.com/identity/protocols/oauth2/web-server',
  },
  {
    title: 'Manage OAuth clients',
    url: 'https://support.google.com/cloud/answer/15549257',
  },
];

function googleAdditionalData(scopeExample: string): ServiceDefinition['additional_data'] {
  return {
    redirect_uri: redirectUri('One of the client’s authorized redirect URIs'),
    scopes: scopes(`e.g. ["${scopeExample}"]`),
    refresh_token: refreshToken('Issued per user with access_type=offline'),
    hosted_domain: shown(
      text('Google Workspace domain', 'e.g. example.com', { format: 'hostname' }),
    ),
  };
}

export const GMAIL: ServiceDefinition = {
  name: 'gmail',
  displayName: 'Gmail',
  description: 'A Google OAuth 2.0 client calling the Gmail API.',
  docs: [
    ...GOOGLE_OAUTH_DOCS,
    {
      title: 'Choose Gmail API scopes',
      url: 'https://developers.google.com/gmail/api/auth/scopes',
    },
  ],
  config: GOOGLE_OAUTH_CLIENT,
  additional_data: googleAdditionalData('https://www.googleapis.com/auth/gmail.send'),
};

export const GOOGLE_CALENDAR: ServiceDefinition = {
  name: 'google-calendar',
  displayName: 'Google Calendar',
  description: 'A Google OAuth 2.0 client calling the Google Calendar API.',
  docs: [
    ...GOOGLE_OAUTH_DOCS,
    {
      title: 'Choose Google Calendar API scopes',
      url: 'https://developers.google.com/workspace/calendar/api/auth',
    },
  ],
  config: GOOGLE_OAUTH_CLIENT,
  additional_data: googleAdditionalData('https://www.googleapis.com/auth/calendar.events'),
};
