import { randomUUID } from 'node:crypto';
import { deepFreeze } from '../../domain/deep-freeze';
import type { ServicePlatformDict } from '../../domain/service-platform.entity';
import { PlatformGrpcMapper } from './platform.grpc-mapper';

const view = (): ServicePlatformDict => ({
  id: randomUUID(),
  tenant_id: randomUUID(),
  service_name: 'outlook',
  config: { client_id: 'c', client_secret: '********', additional_data: { scopes: ['a', 'b'] } },
  is_active: true,
  version: 3,
  created_at: '2026-11-26T00:00:00.000Z',
  updated_at: '2026-11-26T00:00:00.000Z',
});

describe('PlatformGrpcMapper.toPlatformMessage', () => {
  it('maps a frozen (cached) view once, and hands out the same frozen message', () => {
    const cached = deepFreeze(view());
    const first = PlatformGrpcMapper.toPlatformMessage(cached);
    expect(PlatformGrpcMapper.toPlatformMessage(cached)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.config)).toBe(true);
    expect(first).toMatchObject({ id: cached.id, version: 3, service_name: 'outlook' });
  });

  it('maps a view that is not frozen afresh every time', () => {
    const fresh = view();
    const first = PlatformGrpcMapper.toPlatformMessage(fresh);
    const second = PlatformGrpcMapper.toPlatformMessage(fresh);
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
    expect(Object.isFrozen(first)).toBe(false);
  });
});
