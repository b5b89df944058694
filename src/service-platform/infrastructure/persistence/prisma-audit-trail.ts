import { Injectable } from '@nestjs/common';
import {
  AuditTrail,
  type AuditCursor,
  type AuditEntry,
  type AuditPage,
} from '../../application/ports/audit-trail.port';
import type { AuditAction } from '../../domain/events/platform-event-type';
import type { FieldChanges } from '../../domain/field-changes';
import { newTimeOrderedId } from '../../domain/identifiers';
import type { AuditLogEntry as AuditLogRow, Prisma } from './generated/client';
import { translateStorageError } from './prisma-error.mapper';
import { PrismaTransactionHost } from './prisma-transaction.host';

/** `AuditTrail` on the `audit_log` table. */
@Injectable()
export class PrismaAuditTrail extends AuditTrail {
  constructor(private readonly transactions: PrismaTransactionHost) {
    super();
  }

  async record(entry: Omit<AuditEntry, 'id'>): Promise<void> {
    try {
      // Idempotent on the event: a retried dispatch finds its entry already written.
      await this.transactions.client.auditLogEntry.createMany({
        data: [
          {
            id: newTimeOrderedId(),
            eventId: entry.eventId,
            platformId: entry.platformId,
            tenantId: entry.tenantId,
            action: entry.action,
            actorId: entry.actorId,
            changes: entry.changes as Prisma.InputJsonObject,
            occurredAt: entry.occurredAt,
          },
        ],
        skipDuplicates: true,
      });
    } catch (error) {
      throw translateStorageError(error);
    }
  }

  async listByPlatform(
    platformId: string,
    page: { readonly limit: number; readonly before?: AuditCursor },
  ): Promise<AuditPage> {
    try {
      const { before } = page;
      const rows = await this.transactions.client.auditLogEntry.findMany({
        where: {
          platformId,
          ...(before !== undefined && {
            OR: [
              { occurredAt: { lt: before.occurredAt } },
              { occurredAt: before.occurredAt, id: { lt: before.id } },
            ],
          }),
        },
        orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }],
        take: page.limit + 1,
      });
      const entries = rows.slice(0, page.limit).map(toEntry);
      const last = entries.at(-1);
      return {
        entries,
        next:
          rows.length > page.limit && last !== undefined
            ? { occurredAt: last.occurredAt, id: last.id }
            : null,
      };
    } catch (error) {
      throw translateStorageError(error);
    }
  }
}

function toEntry(row: AuditLogRow): AuditEntry {
  return {
    id: row.id,
    eventId: row.eventId,
    platformId: row.platformId,
    tenantId: row.tenantId,
    action: row.action as AuditAction,
    actorId: row.actorId,
    changes: row.changes as FieldChanges,
    occurredAt: row.occurredAt,
  };
}
