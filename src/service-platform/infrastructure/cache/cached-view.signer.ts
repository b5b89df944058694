import { createHmac, timingSafeEqual } from 'node:crypto';
import type { KeyRing } from '../crypto/key-ring';

/** Context of the derived keys; distinct from every other use of the master keys. */
const CONTEXT = 'service-platform/cached-view-mac/v1';

export interface ViewSignature {
  /** Id of the master key the MAC key was derived from. */
  readonly kid: string;
  /** HMAC-SHA256, base64. */
  readonly mac: string;
}

/**
 * Authenticates what the cache writes to Redis. Whoever can write to Redis could otherwise plant
 * a view with another `tenant_id` (authorization checks the cached view's tenant) and show one
 * tenant's masked configuration to another. Each view is MACed under a key derived from the
 * primary master key (HMAC-SHA256(master key, context)); every key of the ring verifies, so
 * instances mid-rotation read each other's entries. A view that does not verify is a miss.
 */
export class CachedViewSigner {
  private readonly keys = new Map<string, Buffer>();
  private readonly primaryId: string;

  constructor(ring: KeyRing) {
    for (const id of ring.ids) {
      const key = ring.find(id);
      if (key !== undefined) {
        this.keys.set(id, createHmac('sha256', key.material).update(CONTEXT).digest());
      }
    }
    this.primaryId = ring.primary.id;
  }

  sign(data: string): ViewSignature {
    return { kid: this.primaryId, mac: this.mac(this.primaryId, data) };
  }

  verify(data: string, signature: ViewSignature): boolean {
    if (!this.keys.has(signature.kid)) return false;
    const expected = Buffer.from(this.mac(signature.kid, data), 'base64');
    const given = Buffer.from(signature.mac, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private mac(kid: string, data: string): string {
    return createHmac('sha256', this.keys.get(kid) as Buffer)
      .update(data)
      .digest('base64');
  }
}

/** What a signature covers: the platform, the version and the view, unambiguously separated. */
export function signedViewData(platformId: string, version: string, json: string): string {
  return `${platformId}\n${version}\n${json}`;
}
