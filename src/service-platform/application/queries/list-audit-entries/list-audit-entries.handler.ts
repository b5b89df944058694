import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { assertUuid } from '../../../domain/identifiers';
import { PlatformNotFoundError, RequestValidationError } from '../../../domain/platform.errors';
import { accessFor } from '../../authz/platform-access';
import { AuditTrail } from '../../ports/audit-trail.port';
import { remaskChanges } from '../../catalog/history-remasker';
import { ServiceCatalog } from '../../catalog/service-catalog';
import { ServicePlatformRepository } from '../../ports/service-platform.repository.port';
import { LIST_LIMIT } from '../list-platforms/list-platforms.handler';
import { decodeAuditCursor, encodeAuditCursor } from './audit-cursor.codec';
import { ListAuditEntriesQuery, type ListAuditEntriesResult } from './list-audit-entries.query';

@QueryHandler(ListAuditEntriesQuery)
export class ListAuditEntriesHandler implements IQueryHandler<ListAuditEntriesQuery> {
  constructor(
    private readonly platforms: ServicePlatformRepository,
    private readonly auditTrail: AuditTrail,
    private readonly catalog: ServiceCatalog,
  ) {}

  async execute(query: ListAuditEntriesQuery): Promise<ListAuditEntriesResult> {
    const platformId = assertUuid(query.platformId, 'platform_id');
    const limit = query.limit ?? LIST_LIMIT.default;
    if (!Number.isInteger(limit) || limit < 1 || limit > LIST_LIMIT.max) {
      throw new RequestValidationError(`limit must be an integer from 1 to ${LIST_LIMIT.max}`, [
        { field: 'limit', message: `must be an integer from 1 to ${LIST_LIMIT.max}` },
      ]);
    }
    const before = query.cursor === undefined ? undefined : decodeAuditCursor(query.cursor);
    // The trail is visible exactly when the platform is, to an actor allowed to audit it:
    // another tenant's platform answers 404 like everywhere else.
    const serviceName = await this.platforms.serviceNameOf(
      platformId,
      accessFor(query.actor, 'audit'),
    );
    if (serviceName === null) throw new PlatformNotFoundError(platformId);
    const page = await this.auditTrail.listByPlatform(platformId, {
      limit,
      ...(before !== undefined && { before }),
    });
    // Entries are masked when written; the catalog's current rules apply on top, so that a
    // field declared secret since then is not shown from older entries (`history:remask`
    // rewrites them for good).
    const policy = this.catalog.secretsOf(serviceName);
    return {
      entries: page.entries.map((entry) => ({
        ...entry,
        changes: remaskChanges(entry.changes, policy),
      })),
      nextCursor: page.next === null ? null : encodeAuditCursor(page.next),
    };
  }
}
