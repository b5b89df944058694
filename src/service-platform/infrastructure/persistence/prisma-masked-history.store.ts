import { Injectable } from '@nestjs/common';
import {
  MaskedHistoryStore,
  type MaskedHistoryRow,
} from '../../application/ports/masked-history-store.port';
import type { FieldChanges } from '../../domain/field-changes';
import type { Prisma } from './generated/client';
import { PrismaService } from './prisma.service';

/** The outbox (`payload.config`, `changes`) and the audit trail (`changes`) in PostgreSQL. */
@Injectable()
export class PrismaMaskedHistoryStore extends MaskedHistoryStore {
  constructor(private readonly prisma: PrismaService) {
    super();
  }

  async page(
    table: 'outbox' | 'audit',
    after: string | undefined,
    limit: number,
  ): Promise<MaskedHistoryRow[]> {
    const where = after === undefined ? {} : { id: { gt: after } };
    if (table === 'outbox') {
      const rows = await this.prisma.outboxEvent.findMany({
        where,
        orderBy: { id: 'asc' },
        take: limit,
        select: { id: true, payload: true, changes: true },
      });
      return rows.map((row) => {
        const payload = row.payload as { service_name?: string; config?: Record<string, unknown> };
        return {
          id: row.id,
          serviceName: payload.service_name ?? '',
          changes: row.changes as FieldChanges,
          ...(payload.config !== undefined && { config: payload.config }),
        };
      });
    }
    const rows = await this.prisma.auditLogEntry.findMany({
      where,
      orderBy: { id: 'asc' },
      take: limit,
      select: { id: true, platformId: true, changes: true },
    });
    const services = await this.prisma.servicePlatform.findMany({
      where: { id: { in: [...new Set(rows.map((row) => row.platformId))] } },
      select: { id: true, serviceName: true },
    });
    const serviceOf = new Map(services.map((platform) => [platform.id, platform.serviceName]));
    return rows.map((row) => ({
      id: row.id,
      serviceName: serviceOf.get(row.platformId) ?? '',
      changes: row.changes as FieldChanges,
    }));
  }

  async rewrite(
    table: 'outbox' | 'audit',
    id: string,
    row: Pick<MaskedHistoryRow, 'changes' | 'config'>,
  ): Promise<void> {
    const changes = row.changes as Prisma.InputJsonValue;
    if (table === 'audit') {
      await this.prisma.auditLogEntry.update({ where: { id }, data: { changes } });
      return;
    }
    const current = await this.prisma.outboxEvent.findUnique({
      where: { id },
      select: { payload: true },
    });
    const payload = {
      ...(current?.payload as Record<string, unknown>),
      ...(row.config !== undefined && { config: row.config }),
    };
    await this.prisma.outboxEvent.update({
      where: { id },
      data: { changes, payload: payload as Prisma.InputJsonValue },
    });
  }
}
