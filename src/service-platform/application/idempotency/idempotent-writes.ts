import { Injectable } from '@nestjs/common';
import { canonicalJson } from '../../domain/canonical-json';
import type { Actor } from '../../domain/actor';
import { RequestValidationError } from '../../domain/platform.errors';
import { IdempotencyStore } from '../ports/idempotency-store.port';
import { UnitOfWork } from '../ports/unit-of-work.port';

/** The writes an idempotency key can guard. */
export type IdempotentOperation = 'register' | 'update' | 'deactivate' | 'activate';

/** 1 to 255 printable ASCII characters, no space at either end (the contract's key). */
const KEY = /^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/;

export function assertIdempotencyKey(value: string): string {
  if (!KEY.test(value)) {
    const message = 'must be 1 to 255 printable ASCII characters';
    throw new RequestValidationError(`Idempotency-Key ${message}`, [
      { field: 'Idempotency-Key', message },
    ]);
  }
  return value;
}

/**
 * Runs a write at most once per idempotency key: the key is claimed in the write's own
 * transaction and stored with its answer when it commits, so a retry with the same key and the
 * same request within the key's lifetime gets that answer again, and changes nothing. Without a
 * key, the write just runs.
 */
@Injectable()
export class IdempotentWrites {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  run<T>(
    actor: Actor,
    idempotencyKey: string | undefined,
    operation: IdempotentOperation,
    request: unknown,
    write: () => Promise<T>,
  ): Promise<T> {
    if (idempotencyKey === undefined) return write();
    const scope = {
      tenantId: actor.tenantId,
      actorId: actor.id,
      key: assertIdempotencyKey(idempotencyKey),
    };
    return this.unitOfWork.run(async () => {
      const claim = await this.store.claim(scope, operation, canonicalJson(request));
      if (claim.kind === 'replay') return claim.response as T;
      const response = await write();
      await this.store.complete(scope, response);
      return response;
    });
  }
}
