import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { messageOf } from '../error-message';
import { IdempotencyStore } from '../ports/idempotency-store.port';

const PRUNE_EVERY_MS = 15 * 60_000;

/**
 * Deletes idempotency keys past their lifetime, every 15 minutes. Only storage hygiene: a key
 * past its lifetime is ignored (and replaced) by the next write using it anyway.
 */
@Injectable()
export class IdempotencyKeyPruner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ServicePlatformIdempotency');
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly store: IdempotencyStore) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async prune(): Promise<number> {
    try {
      const pruned = await this.store.prune();
      if (pruned > 0) this.logger.log(`Pruned ${pruned} expired idempotency keys`);
      return pruned;
    } catch (error) {
      this.logger.warn(`Pruning idempotency keys failed: ${messageOf(error)}`);
      return 0;
    }
  }
}
