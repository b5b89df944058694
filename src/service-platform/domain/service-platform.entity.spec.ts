import { secretsOf } from '../../../test/support/catalog';
import { PlatformConfiguration } from './platform-configuration.value-object';
import { ServicePlatform } from './service-platform.entity';

const t0 = new Date('2026-01-01T00:00:00.000Z');
const config = PlatformConfiguration.create({ client_id: 'id', client_secret: 'shh' });

function registered(): ServicePlatform {
  return ServicePlatform.register({
    id: '11111111-1111-4111-8111-111111111111',
    tenantId: '22222222-2222-4222-8222-222222222222',
    serviceName: 'outlook',
    config,
    secrets: secretsOf('outlook'),
    now: t0,
  });
}

describe('ServicePlatform', () => {
  it('starts active at version 1', () => {
    const platform = registered();
    expect(platform.isActive).toBe(true);
    expect(platform.version).toBe(1);
    expect(platform.createdAt).toEqual(t0);
    expect(platform.updatedAt).toEqual(t0);
  });

  it('returns the next version on a config change and itself when nothing changes', () => {
    const platform = registered();
    const t1 = new Date('2026-01-02T00:00:00.000Z');
    const changed = platform.updateConfig({ client_id: 'id-2' }, t1);
    expect(changed).not.toBe(platform);
    expect(changed.version).toBe(2);
    expect(changed.updatedAt).toEqual(t1);
    expect(changed.createdAt).toEqual(t0);
    expect(changed.config.clientId).toBe('id-2');
    expect(platform.config.clientId).toBe('id'); // immutable
    expect(platform.updateConfig({ client_id: 'id' }, t1)).toBe(platform);
  });

  it('never moves updated_at backwards, even with a clock behind', () => {
    const platform = registered();
    const changed = platform.updateConfig({ client_id: 'id-2' }, new Date('2025-01-01T00:00:00Z'));
    expect(changed.updatedAt.getTime()).toBeGreaterThan(platform.updatedAt.getTime());
  });

  it('toDict is the spec shape with secrets masked and ISO 8601 UTC times', () => {
    expect(registered().toDict()).toEqual({
      id: '11111111-1111-4111-8111-111111111111',
      tenant_id: '22222222-2222-4222-8222-222222222222',
      service_name: 'outlook',
      config: { client_id: 'id', client_secret: '********' },
      is_active: true,
      version: 1,
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
    });
  });
});
