import { randomUUID } from 'node:crypto';
import type { ServicePlatformDict } from '../../domain/service-platform.entity';
import { InMemoryPlatformViewStore } from './in-memory-platform-view.store';

const view = (id: string, version: number): ServicePlatformDict => ({
  id,
  tenant_id: '0b6f4c2e-8f0e-4a8e-9d59-1c1f1f1f1f1f',
  service_name: 'outlook',
  config: { client_id: `client-v${version}`, client_secret: '********' },
  is_active: true,
  version,
  created_at: '2026-11-26T00:00:00.000Z',
  updated_at: '2026-11-26T00:00:00.000Z',
});

function storeAt(maxEntries = 100) {
  const clock = { now: 1_000 };
  const store = new InMemoryPlatformViewStore({ ttlMs: 60_000, maxEntries, now: () => clock.now });
  return { clock, store };
}

describe('InMemoryPlatformViewStore', () => {
  const id = randomUUID();

  it('answers what was put, and never goes back to an older version', async () => {
    const { store } = storeAt();
    await store.put(view(id, 2));
    await store.put(view(id, 1));
    expect(await store.get(id)).toEqual(view(id, 2));
    await store.put(view(id, 3));
    expect((await store.get(id))?.version).toBe(3);
  });

  it('invalidate drops older versions and refuses them afterwards, keeps newer ones', async () => {
    const { store } = storeAt();
    await store.put(view(id, 1));
    await store.invalidate(id, 2);
    expect(await store.get(id)).toBeUndefined();
    await store.put(view(id, 1)); // a slow reader's stale row
    expect(await store.get(id)).toBeUndefined();
    await store.put(view(id, 2));
    expect((await store.get(id))?.version).toBe(2);
    await store.invalidate(id, 2); // the notification of the version already cached
    expect((await store.get(id))?.version).toBe(2);
  });

  it('a floor is kept for a platform never cached', async () => {
    const { store } = storeAt();
    await store.invalidate(id, 5);
    await store.put(view(id, 4));
    expect(await store.get(id)).toBeUndefined();
  });

  it('entries live ttlMs', async () => {
    const { clock, store } = storeAt();
    await store.put(view(id, 1));
    clock.now += 59_999;
    expect(await store.get(id)).toBeDefined();
    clock.now += 1;
    expect(await store.get(id)).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('drops the least recently used entries beyond maxEntries', async () => {
    const { store } = storeAt(2);
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    await store.put(view(a, 1));
    await store.put(view(b, 1));
    await store.get(a); // a is now the most recently used
    await store.put(view(c, 1));
    expect(store.size).toBe(2);
    expect(await store.get(b)).toBeUndefined();
    expect(await store.get(a)).toBeDefined();
    expect(await store.get(c)).toBeDefined();
  });

  it('clear empties it', async () => {
    const { store } = storeAt();
    await store.put(view(id, 1));
    store.clear();
    expect(await store.get(id)).toBeUndefined();
  });
});
