import { Injectable } from '@nestjs/common';
import { PlatformEventDispatcher } from '../../application/events/platform-event.dispatcher';
import { EventOutbox } from '../../application/ports/event-outbox.port';
import type { PlatformChangeEvent } from '../../domain/events/platform-change.events';
import type { Prisma } from '../persistence/generated/client';
import { translateStorageError } from '../persistence/prisma-error.mapper';
import { PrismaTransactionHost } from '../persistence/prisma-transaction.host';

/**
 * Appends events to `outbox_events` in the transaction of the change they record, with the
 * fan-out targets this instance has (audit, and publish when a broker is configured) as the ones
 * the event must reach.
 */
@Injectable()
export class PrismaEventOutbox extends EventOutbox {
  constructor(
    private readonly transactions: PrismaTransactionHost,
    private readonly dispatcher: PlatformEventDispatcher,
  ) {
    super();
  }

  async append(event: PlatformChangeEvent): Promise<void> {
    if (!this.transactions.inTransaction) {
      // Outside a transaction the event could commit without its change, or the reverse.
      throw new Error('EventOutbox.append() must run inside UnitOfWork.run()');
    }
    try {
      await this.transactions.client.outboxEvent.create({
        data: {
          id: event.eventId,
          platformId: event.platformId,
          tenantId: event.tenantId,
          eventType: event.type,
          payload: event.toPayload() as unknown as Prisma.InputJsonObject,
          changes: event.changes as Prisma.InputJsonObject,
          occurredAt: event.occurredAt,
          targets: [...this.dispatcher.targetNames].sort(),
        },
      });
    } catch (error) {
      throw translateStorageError(error);
    }
  }
}
