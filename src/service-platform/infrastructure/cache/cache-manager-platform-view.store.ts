import { Logger } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { messageOf } from '../../application/error-message';
import { withTimeout } from '../../application/with-timeout';
import type { ServicePlatformDict } from '../../domain/service-platform.entity';
import { signedViewData, type CachedViewSigner } from './cached-view.signer';
import type { PlatformViewStore } from './platform-view.store';

/**
 * What is stored per platform: `v` and `view` (its JSON), the version of the cached view, and
 * `floor`, the lowest version still acceptable (an invalidation raises it and drops older views).
 * `kid`/`mac` sign the view in a shared store (`CachedViewSigner`).
 */
interface StoredView {
  readonly floor: number;
  readonly v?: number;
  /** JSON in a shared store; the (frozen) object itself in memory. */
  readonly view?: string | ServicePlatformDict;
  readonly kid?: string;
  readonly mac?: string;
}

export interface CacheManagerPlatformViewStoreOptions {
  /** `memory` or `Redis`: named in the log. */
  readonly name: string;
  /** Lifetime of a platform's entry (view and floor), renewed by every write to it. */
  readonly ttlMs: number;
  /** Signs every view (a shared store); unsigned or forged views are misses. None in memory. */
  readonly signer?: CachedViewSigner;
  /** A call gives up after this long (a slow cache is worse than none); none in memory. */
  readonly timeoutMs?: number;
}

/** An outage fails every request: one warning per interval says enough. */
const WARNING_INTERVAL_MS = 30_000;

/**
 * One tier of the platform view cache on a cache-manager `Cache` over a Keyv store (memory:
 * `@cacheable/memory`'s LRU; Redis: `@keyv/redis`). The version rules of `PlatformViewStore` are
 * kept per entry (`floor`, `v`). Keyv stores have no compare-and-set, so two instances racing on
 * one platform can leave an older view in Redis for a moment; each instance still refuses it by
 * the floors of its memory tier (fed by PostgreSQL's notifications) and replaces it with the
 * newer view it then reads. Failures never reach the caller: a read is a miss, a write returns
 * false, and the log says so at most once per interval.
 */
export class CacheManagerPlatformViewStore implements PlatformViewStore {
  private readonly logger = new Logger('ServicePlatformCache');
  private readonly timeoutMs: number | undefined;
  /** Errors cache-manager reported for keys being read now (its `get` answers them as misses). */
  private readonly readErrors = new Map<string, unknown>();
  /** The same for `mget`, by the keys array being read (cache-manager hands it back as is). */
  private readonly batchErrors = new Map<readonly string[], unknown>();
  private lastWarningAt = Number.NEGATIVE_INFINITY;
  private unreported = 0;
  private outageReported = false;

  constructor(
    /** The tier's cache (`@nestjs/cache-manager`'s `CACHE_MANAGER` in the module). */
    private readonly cache: Cache,
    private readonly options: CacheManagerPlatformViewStoreOptions,
  ) {
    this.timeoutMs = options.timeoutMs;
    cache.on('get', (event: { key: string; error?: unknown }) => {
      if (event.error !== undefined && this.readErrors.has(event.key)) {
        this.readErrors.set(event.key, event.error);
      }
    });
    cache.on('mget', (event: { keys: string[]; error?: unknown }) => {
      if (event.error !== undefined && this.batchErrors.has(event.keys)) {
        this.batchErrors.set(event.keys, event.error);
      }
    });
  }

  /**
   * Forgets every entry at once: the memory store's `clear()` runs before this returns (Keyv and
   * cache-manager call it before their first `await`), so no read after it sees an old entry.
   */
  clear(): void {
    void this.cache.clear().catch((error: unknown) => this.failed('clear', error));
  }

  /**
   * Releases the store's connection (Redis), if it has one, at once: nothing in a cache is worth
   * waiting for, and a client still reconnecting would keep the process alive.
   */
  async close(): Promise<void> {
    for (const keyv of this.cache.stores) {
      const store = keyv.store as { disconnect?: (force?: boolean) => Promise<void> };
      await store.disconnect?.(true).catch(() => undefined);
    }
  }

  async get(platformId: string): Promise<ServicePlatformDict | undefined> {
    return this.viewIn(platformId, await this.read(platformId));
  }

  /** `get` of each id, in one call to the store (a list's page). */
  async getMany(platformIds: readonly string[]): Promise<(ServicePlatformDict | undefined)[]> {
    const stored = await this.readMany(platformIds);
    return platformIds.map((id, at) => this.viewIn(id, stored === null ? null : stored[at]));
  }

  /** `put` of each view (one per platform), in one read and one write of the store. */
  async putMany(views: readonly ServicePlatformDict[]): Promise<boolean> {
    const candidates = views.filter((view) => Number.isSafeInteger(view.version));
    if (candidates.length === 0) return true;
    const current = await this.readMany(candidates.map((view) => view.id));
    if (current === null) return false;
    const entries = candidates.flatMap((view, at) => {
      const entry = this.entryFor(view, current[at]);
      return entry === undefined ? [] : [{ key: view.id, value: entry, ttl: this.options.ttlMs }];
    });
    if (entries.length === 0) return true;
    try {
      await this.bounded(this.cache.mset(entries));
      this.succeeded();
      return true;
    } catch (error) {
      this.failed('write', error);
      return false;
    }
  }

  /** The view `stored` holds for `platformId`, if it is one to answer. */
  private viewIn(
    platformId: string,
    stored: StoredView | undefined | null,
  ): ServicePlatformDict | undefined {
    if (stored === null || stored?.view === undefined || stored.v === undefined) return undefined;
    if (stored.v < stored.floor) return undefined;
    if (typeof stored.view !== 'string') {
      // A shared store holds signed JSON only; memory holds the object this process put there.
      if (this.options.signer !== undefined) return undefined;
      return stored.view.id === platformId && stored.view.version === stored.v
        ? stored.view
        : undefined;
    }
    if (this.options.signer !== undefined) {
      const signature = { kid: stored.kid ?? '', mac: stored.mac ?? '' };
      const data = signedViewData(platformId, String(stored.v), stored.view);
      if (!this.options.signer.verify(data, signature)) {
        this.warn(`Ignoring a cached view of platform ${platformId} that does not verify`);
        return undefined;
      }
    }
    const view = parseView(stored.view);
    if (view === undefined || view.id !== platformId || view.version !== stored.v) {
      // The id only: the view itself stays out of the log.
      this.warn(`Ignoring a malformed cached view of platform ${platformId}`);
      return undefined;
    }
    return view;
  }

  async put(view: ServicePlatformDict): Promise<boolean> {
    if (!Number.isSafeInteger(view.version)) return true;
    const current = await this.read(view.id);
    if (current === null) return false;
    const entry = this.entryFor(view, current);
    return entry === undefined ? true : this.write('write', view.id, entry);
  }

  /** What to store for `view` over `current`; undefined when a newer version is kept or known. */
  private entryFor(
    view: ServicePlatformDict,
    current: StoredView | undefined,
  ): StoredView | undefined {
    if (current !== undefined) {
      if (view.version < current.floor) return undefined;
      if (current.v !== undefined && view.version <= current.v) return undefined;
    }
    const floor = current?.floor ?? 0;
    const { signer } = this.options;
    if (signer === undefined) return { floor, v: view.version, view };
    const json = JSON.stringify(view);
    const signature = signer.sign(signedViewData(view.id, String(view.version), json));
    return { floor, v: view.version, view: json, ...signature };
  }

  async invalidate(platformId: string, version: number): Promise<boolean> {
    if (!Number.isSafeInteger(version)) return true;
    const current = await this.read(platformId);
    if (current === null) return false;
    const floor = Math.max(current?.floor ?? 0, version);
    const keepsView = current?.v !== undefined && current.v >= version;
    if (keepsView && current?.floor === floor) return true;
    return this.write('invalidation', platformId, keepsView ? { ...current, floor } : { floor });
  }

  /** The stored entry, undefined when there is none, null when the store failed. */
  private async read(platformId: string): Promise<StoredView | undefined | null> {
    const key = platformId;
    this.readErrors.set(key, undefined);
    try {
      const stored = await this.bounded(this.cache.get<StoredView>(key));
      const error = this.readErrors.get(key);
      if (error !== undefined) throw error instanceof Error ? error : new Error(messageOf(error));
      this.succeeded();
      return isStoredView(stored) ? stored : undefined;
    } catch (error) {
      this.failed('read', error);
      return null;
    } finally {
      this.readErrors.delete(key);
    }
  }

  /** The stored entries, in order (undefined where there is none); null when the store failed. */
  private async readMany(
    platformIds: readonly string[],
  ): Promise<(StoredView | undefined)[] | null> {
    const keys = [...platformIds];
    this.batchErrors.set(keys, undefined);
    try {
      const stored = await this.bounded(this.cache.mget<StoredView>(keys));
      const error = this.batchErrors.get(keys);
      if (error !== undefined) throw error instanceof Error ? error : new Error(messageOf(error));
      this.succeeded();
      return keys.map((_, at) => (isStoredView(stored[at]) ? stored[at] : undefined));
    } catch (error) {
      this.failed('read', error);
      return null;
    } finally {
      this.batchErrors.delete(keys);
    }
  }

  private async write(operation: string, platformId: string, entry: StoredView): Promise<boolean> {
    try {
      await this.bounded(this.cache.set(platformId, entry, this.options.ttlMs));
      this.succeeded();
      return true;
    } catch (error) {
      this.failed(operation, error);
      return false;
    }
  }

  private bounded<T>(call: Promise<T>): Promise<T> {
    const limit = this.timeoutMs;
    return limit === undefined ? call : withTimeout(call, limit, `no answer within ${limit} ms`);
  }

  private failed(operation: string, error: unknown): void {
    const message = `${this.options.name} cache ${operation} failed, going without: ${messageOf(error)}`;
    if (this.warn(message)) this.outageReported = true;
  }

  private succeeded(): void {
    if (!this.outageReported) return;
    this.outageReported = false;
    this.logger.log(`${this.options.name} cache reachable again`);
  }

  /** Logs `message` unless a warning was logged less than an interval ago; true if logged. */
  private warn(message: string): boolean {
    const now = Date.now();
    if (now - this.lastWarningAt < WARNING_INTERVAL_MS) {
      this.unreported++;
      return false;
    }
    const held =
      this.unreported > 0 ? ` (${this.unreported} more problems since the last one)` : '';
    this.lastWarningAt = now;
    this.unreported = 0;
    this.logger.warn(message + held);
    return true;
  }
}

function isStoredView(value: unknown): value is StoredView {
  return (
    typeof value === 'object' &&
    value !== null &&
    Number.isSafeInteger((value as StoredView).floor) &&
    ((value as StoredView).v === undefined || Number.isSafeInteger((value as StoredView).v)) &&
    ['undefined', 'string', 'object'].includes(typeof (value as StoredView).view)
  );
}

/**
 * The view if `json` has the shape of one. Never reports why not: a JSON.parse message quotes
 * the input, and views must stay out of the log.
 */
function parseView(json: string): ServicePlatformDict | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  const looksRight =
    typeof value.id === 'string' &&
    typeof value.tenant_id === 'string' &&
    typeof value.service_name === 'string' &&
    isPlainObject(value.config) &&
    typeof value.is_active === 'boolean' &&
    Number.isSafeInteger(value.version) &&
    typeof value.created_at === 'string' &&
    typeof value.updated_at === 'string';
  return looksRight ? (value as unknown as ServicePlatformDict) : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
