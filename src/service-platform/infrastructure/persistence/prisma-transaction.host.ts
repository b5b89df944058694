import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, Logger } from '@nestjs/common';
import { UnitOfWork } from '../../application/ports/unit-of-work.port';
import type { Prisma } from './generated/client';
import { translateStorageError } from './prisma-error.mapper';
import { PrismaService } from './prisma.service';
import { messageOf } from '../../application/error-message';

/** Interactive-transaction limits: waiting for a pooled connection, and the whole transaction. */
const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;

interface Transaction {
  readonly client: Prisma.TransactionClient;
  readonly afterCommit: (() => Promise<void>)[];
}

/**
 * Hands repositories the Prisma client of the current transaction (through AsyncLocalStorage),
 * or the root client outside one, so that adapters need no transaction parameter.
 */
@Injectable()
export class PrismaTransactionHost extends UnitOfWork {
  private readonly current = new AsyncLocalStorage<Transaction>();
  private readonly logger = new Logger('ServicePlatformTransactions');

  constructor(private readonly prisma: PrismaService) {
    super();
  }

  get client(): Prisma.TransactionClient {
    return this.current.getStore()?.client ?? this.prisma;
  }

  get inTransaction(): boolean {
    return this.current.getStore() !== undefined;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.inTransaction) return work();
    const afterCommit: (() => Promise<void>)[] = [];
    let result: T;
    try {
      result = await this.prisma.$transaction(
        (client) => this.current.run({ client, afterCommit }, work),
        TRANSACTION_OPTIONS,
      );
    } catch (error) {
      // Failing to open or commit the transaction is a storage outage like any other.
      throw translateStorageError(error);
    }
    // Outside the transaction's context: a callback's own queries use the root client.
    for (const callback of afterCommit) await this.settle(callback);
    return result;
  }

  afterCommit(callback: () => Promise<void>): void {
    const transaction = this.current.getStore();
    if (transaction === undefined) void this.settle(callback);
    else transaction.afterCommit.push(callback);
  }

  /** The commit stands whatever a callback does: a failure is logged, never thrown. */
  private async settle(callback: () => Promise<void>): Promise<void> {
    try {
      await callback();
    } catch (error) {
      this.logger.error(
        `An after-commit step failed (the change itself is committed): ${messageOf(error)}`,
      );
    }
  }
}
