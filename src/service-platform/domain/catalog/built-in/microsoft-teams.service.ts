import { guid, secret, shown, text, url } from '../field-schemas';
import type { ServiceDefinition } from '../service-definition';

/** A Microsoft Teams bot: an Azure Bot resource and its Entra app registration. */
export const MICROSOFT_TEAMS: ServiceDefinition = {
  name: 'microsoft-teams',
  displayName: 'Microsoft Teams (bot)',
  description:
    'An Azure Bot (Bot Framework) registered in Microsoft Entra ID. Single-tenant bots need the ' +
    'directory (tenant) id.',
  docs: [
    {
      title: 'Create an Azure Bot resource',
      url: 'https://learn.microsoft.com/en-us/azure/bot-service/abs-quickstart',
    },
    {
      title: 'Register a bot with Azure',
      url: 'https://learn.microsoft.com/en-us/azure/bot-service/bot-service-quickstart-registration',
    },
    {
      title: 'Teams app manifest (bots)',
      url: 'https://learn.microsoft.com/en-us/microsoftteams/platform/resources/schema/manifest-schema',
    },
  ],
  config: {
    client_id: shown(guid('Microsoft App ID', 'MicrosoftAppId: the bot’s app registration')),
    client_secret: secret(
      text('App password', 'MicrosoftAppPassword: a client secret of the app registration'),
    ),
    tenant_id: shown(
      guid('App tenant ID', 'MicrosoftAppTenantId: required for single-tenant bots'),
    ),
  },
  additional_data: {
    app_type: shown(
      {
        type: 'string',
        title: 'App type',
        description: 'MicrosoftAppType (new bots are SingleTenant)',
        enum: ['SingleTenant', 'MultiTenant'],
      },
      true,
    ),
    messaging_endpoint: shown(
      url('Messaging endpoint', 'e.g. https://bot.example.com/api/messages'),
    ),
    teams_app_id: shown(guid('Teams app ID', 'The id of the Teams app manifest')),
  },
  constraints: [
    {
      if: {
        properties: { additional_data: { properties: { app_type: { const: 'SingleTenant' } } } },
      },
      then: { required: ['tenant_id'] },
    },
  ],
};
