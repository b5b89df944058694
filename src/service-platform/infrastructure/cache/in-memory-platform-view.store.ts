import type { ServicePlatformDict } from '../../domain/service-platform.entity';
import type { PlatformViewStore } from './platform-view.store';

interface Entry {
  view: ServicePlatformDict | undefined;
  /** Versions below this one are refused (raised by `invalidate`). */
  floor: number;
  expiresAt: number;
}

export interface InMemoryPlatformViewStoreOptions {
  readonly ttlMs: number;
  /** Least recently used entries are dropped beyond this many. */
  readonly maxEntries: number;
  readonly now?: () => number;
}

/**
 * The in-process tier: a bounded LRU map (a `Map` keeps insertion order; a hit moves its entry to
 * the end) whose entries, floors included, live `ttlMs`. No I/O, so its promises are settled.
 */
export class InMemoryPlatformViewStore implements PlatformViewStore {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly options: InMemoryPlatformViewStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get(platformId: string): Promise<ServicePlatformDict | undefined> {
    const entry = this.live(platformId);
    if (entry?.view === undefined) return Promise.resolve(undefined);
    this.entries.delete(platformId);
    this.entries.set(platformId, entry);
    return Promise.resolve(entry.view);
  }

  put(view: ServicePlatformDict): Promise<boolean> {
    const entry = this.live(view.id);
    if (entry === undefined) {
      this.store(view.id, { view, floor: 0, expiresAt: this.now() + this.options.ttlMs });
    } else if (view.version >= entry.floor && view.version > (entry.view?.version ?? -1)) {
      entry.view = view;
      entry.expiresAt = this.now() + this.options.ttlMs;
    }
    return Promise.resolve(true);
  }

  invalidate(platformId: string, version: number): Promise<boolean> {
    const entry = this.live(platformId);
    const expiresAt = this.now() + this.options.ttlMs;
    if (entry === undefined) {
      this.store(platformId, { view: undefined, floor: version, expiresAt });
    } else {
      entry.floor = Math.max(entry.floor, version);
      if (entry.view !== undefined && entry.view.version < entry.floor) entry.view = undefined;
      entry.expiresAt = expiresAt;
    }
    return Promise.resolve(true);
  }

  clear(): void {
    this.entries.clear();
  }

  private live(platformId: string): Entry | undefined {
    const entry = this.entries.get(platformId);
    if (entry !== undefined && entry.expiresAt <= this.now()) {
      this.entries.delete(platformId);
      return undefined;
    }
    return entry;
  }

  private store(platformId: string, entry: Entry): void {
    this.entries.set(platformId, entry);
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }
}
