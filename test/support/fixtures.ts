import { createHash, randomUUID } from 'node:crypto';

/** A tenant of its own for every test: tests never see each other's rows. */
export function newTenantId(): string {
  return randomUUID();
}

/** A secret value that is easy to search for in bodies, rows and logs. */
export function canarySecret(label = 'secret'): string {
  return `canary-${label}-${randomUUID()}`;
}

export function registerBody(
  tenantId: string,
  overrides: { service_name?: string; config?: Record<string, unknown> } = {},
): Record<string, unknown> {
  return {
    tenant_id: tenantId,
    service_name: overrides.service_name ?? 'outlook',
    config: overrides.config ?? {
      client_id: OUTLOOK_CLIENT_ID,
      client_secret: canarySecret(),
      tenant_id: 'contoso.onmicrosoft.com',
      additional_data: { redirect_uri: 'https://app.example.com/callback', refresh_token: 'rt-1' },
    },
  };
}

/** A GUID that stands for `label` (the same label, the same GUID): GUID-shaped client ids. */
export function guidOf(label: string): string {
  const hex = createHash('sha256').update(label).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** An Outlook application (client) id: what the tests' platforms are registered with. */
export const OUTLOOK_CLIENT_ID = guidOf('outlook-client');
/** A Google OAuth client id (Gmail and Google Calendar). */
export const GOOGLE_CLIENT_ID =
  '837647042410-75ifgipj95q2mlkv0mvlbcvnvn6h5iqc.apps.googleusercontent.com';

const hex32 = (label: string): string => createHash('md5').update(label).digest('hex');

/**
 * A complete, valid `config` of each built-in service, secrets included (fresh canaries), with
 * `overrides` merged over it (`additional_data` merged key by key).
 */
export function validConfig(
  service: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const base = VALID_CONFIGS[service]?.();
  if (base === undefined) throw new Error(`validConfig: no valid config for '${service}'`);
  const extra = overrides.additional_data;
  return {
    ...base,
    ...overrides,
    ...(typeof extra === 'object' &&
      extra !== null && {
        additional_data: { ...(base.additional_data as object), ...extra },
      }),
  };
}

const VALID_CONFIGS: Record<string, () => Record<string, unknown>> = {
  outlook: () => ({
    client_id: OUTLOOK_CLIENT_ID,
    client_secret: canarySecret('outlook'),
    tenant_id: 'contoso.onmicrosoft.com',
  }),
  gmail: () => ({ client_id: GOOGLE_CLIENT_ID, client_secret: canarySecret('gmail') }),
  'google-calendar': () => ({
    client_id: GOOGLE_CLIENT_ID,
    client_secret: canarySecret('calendar'),
  }),
  whatsapp: () => ({
    client_id: '1234567890123456',
    client_secret: canarySecret('whatsapp'),
    additional_data: {
      access_token: canarySecret('whatsapp-access'),
      phone_number_id: '106540352242922',
      waba_id: '102290129340398',
    },
  }),
  slack: () => ({
    client_id: '1234567890.1234567890123',
    client_secret: canarySecret('slack'),
    additional_data: {
      signing_secret: canarySecret('slack-signing'),
      bot_token: `xoxb-${canarySecret('slack-bot')}`,
    },
  }),
  'microsoft-teams': () => ({
    client_id: guidOf('teams-bot'),
    client_secret: canarySecret('teams'),
    tenant_id: guidOf('teams-tenant'),
    additional_data: { app_type: 'SingleTenant' },
  }),
  salesforce: () => ({
    client_id: '3MVG9fake.consumer.key',
    client_secret: canarySecret('salesforce'),
    additional_data: { login_url: 'https://example.my.salesforce.com' },
  }),
  hubspot: () => ({ client_id: guidOf('hubspot-app'), client_secret: canarySecret('hubspot') }),
  zendesk: () => ({
    client_id: 'test_client',
    client_secret: canarySecret('zendesk'),
    additional_data: { subdomain: 'acme' },
  }),
  twilio: () => ({ client_id: `AC${hex32('twilio')}`, client_secret: canarySecret('twilio') }),
};

/** The built-in services that `validConfig` knows (all of them). */
export const BUILT_IN_SERVICE_NAMES = Object.keys(VALID_CONFIGS);
