import { randomUUID } from 'node:crypto';

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
      client_id: 'client-123',
      client_secret: canarySecret(),
      tenant_id: 'contoso.onmicrosoft.com',
      additional_data: { redirect_uri: 'https://app.example.com/callback', refresh_token: 'rt-1' },
    },
  };
}
