import { Injectable } from '@nestjs/common';
import {
  OutboxStore,
  type ClaimedOutboxEvent,
  type OutboxBacklog,
} from '../../application/ports/outbox-store.port';
import type { FieldChanges } from '../../domain/field-changes';
import {
  restorePlatformEvent,
  type PlatformChangeEvent,
  type PlatformEventPayload,
} from '../../domain/events/platform-change.events';
import {
  isPlatformEventType,
  PLATFORM_EVENT_TYPES,
  type PlatformEventType,
} from '../../domain/events/platform-event-type';
import { qualifiedTable } from '../persistence/prisma-sql';
import { PrismaService } from '../persistence/prisma.service';

interface ClaimedRow {
  id: string;
  has_next: boolean;
  pending_targets: string[];
  event_type: string;
  payload: PlatformEventPayload;
  changes: FieldChanges;
  occurred_at: Date;
  attempts: number;
}

/**
 * The relay's queries on `outbox_events`. A claim is one statement: it picks the oldest pending
 * event of each platform that has no older pending event, skips rows another relay has locked
 * (`FOR UPDATE SKIP LOCKED`) or leased, and leases the rest to the caller.
 */
@Injectable()
export class PrismaOutboxStore extends OutboxStore {
  constructor(private readonly prisma: PrismaService) {
    super();
  }

  private get table() {
    return qualifiedTable(this.prisma.schema, 'outbox_events');
  }

  async claim(
    owner: string,
    limit: number,
    leaseMs: number,
    targets: readonly string[],
  ): Promise<ClaimedOutboxEvent[]> {
    const table = this.table;
    // Event types this version knows: a newer version's rows wait for a relay that knows them.
    const known = PLATFORM_EVENT_TYPES as readonly string[];
    const rows = await this.prisma.$queryRaw<ClaimedRow[]>`
      WITH next AS (
        SELECT o.id
        FROM ${table} AS o
        WHERE o.processed_at IS NULL
          AND o.available_at <= now()
          AND (o.leased_until IS NULL OR o.leased_until < now())
          AND o.targets <@ ${[...targets]}::text[]
          AND o.event_type = ANY(${[...known]}::text[])
          AND NOT EXISTS (
            SELECT 1 FROM ${table} AS earlier
            WHERE earlier.platform_id = o.platform_id
              AND earlier.processed_at IS NULL
              AND earlier.sequence < o.sequence
          )
        ORDER BY o.sequence
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE ${table} AS o
      SET leased_until = now() + make_interval(secs => ${leaseMs / 1000}::double precision),
          leased_by = ${owner},
          attempts = o.attempts + 1
      FROM next
      WHERE o.id = next.id
      RETURNING o.id, o.event_type, o.payload, o.changes, o.occurred_at, o.attempts,
        -- A row without recorded targets (inserted by hand) needs all of the relay's.
        ARRAY(
          SELECT unnest(CASE WHEN cardinality(o.targets) = 0 THEN ${[...targets]}::text[] ELSE o.targets END)
          EXCEPT SELECT unnest(o.delivered)
        ) AS pending_targets,
        EXISTS (
          SELECT 1 FROM ${table} AS later
          WHERE later.platform_id = o.platform_id
            AND later.processed_at IS NULL
            AND later.sequence > o.sequence
        ) AS has_next`;
    // The claim already skipped types this version does not know; this only narrows the type.
    return rows.flatMap((row) =>
      isPlatformEventType(row.event_type)
        ? [
            {
              event: toEvent({ ...row, event_type: row.event_type }),
              attempt: row.attempts,
              hasNext: row.has_next,
              pendingTargets: row.pending_targets,
            },
          ]
        : [],
    );
  }

  async complete(eventIds: readonly string[], owner: string): Promise<void> {
    if (eventIds.length === 0) return;
    await this.prisma.outboxEvent.updateMany({
      where: { id: { in: [...eventIds] }, leasedBy: owner, processedAt: null },
      data: { processedAt: new Date(), leasedUntil: null, lastError: null },
    });
  }

  async release(
    eventId: string,
    owner: string,
    retryInMs: number,
    error: string,
    delivered: readonly string[],
  ): Promise<void> {
    const table = this.table;
    await this.prisma.$executeRaw`
      UPDATE ${table}
      SET leased_until = NULL,
          delivered = ARRAY(SELECT DISTINCT unnest(delivered || ${[...delivered]}::text[])),
          available_at = now() + make_interval(secs => ${retryInMs / 1000}::double precision),
          last_error = ${error.slice(0, 1000)}
      WHERE id = ${eventId}::uuid AND leased_by = ${owner} AND processed_at IS NULL`;
  }

  async retryNow(): Promise<number> {
    const { count } = await this.prisma.outboxEvent.updateMany({
      where: { processedAt: null, availableAt: { gt: new Date() } },
      data: { availableAt: new Date() },
    });
    return count;
  }

  async prune(olderThanMs: number): Promise<number> {
    const { count } = await this.prisma.outboxEvent.deleteMany({
      where: { processedAt: { lt: new Date(Date.now() - olderThanMs) } },
    });
    return count;
  }

  async backlog(): Promise<OutboxBacklog> {
    const table = this.table;
    const [row] = await this.prisma.$queryRaw<{ pending: bigint; oldest_age_ms: number | null }[]>`
      SELECT count(*) AS pending,
             (extract(epoch FROM now() - min(occurred_at)) * 1000)::float8 AS oldest_age_ms
      FROM ${table}
      WHERE processed_at IS NULL`;
    return {
      pending: Number(row?.pending ?? 0),
      oldestPendingAgeMs:
        row?.oldest_age_ms === null || row?.oldest_age_ms === undefined
          ? null
          : Math.max(0, Math.round(row.oldest_age_ms)),
    };
  }
}

function toEvent(row: ClaimedRow & { event_type: PlatformEventType }): PlatformChangeEvent {
  const { payload } = row;
  return restorePlatformEvent(row.event_type, {
    eventId: row.id,
    platformId: payload.platform_id,
    tenantId: payload.tenant_id,
    serviceName: payload.service_name,
    version: payload.version,
    actorId: payload.actor_id,
    occurredAt: new Date(row.occurred_at),
    config: payload.config,
    changes: row.changes,
  });
}
