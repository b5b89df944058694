import { Injectable } from '@nestjs/common';
import { accessibleBy } from '@casl/prisma/runtime';
import { PLATFORM_SUBJECT } from '../../application/authz/platform-ability';
import { ServiceCatalog } from '../../application/catalog/service-catalog';
import { ConfigCipher } from '../../application/ports/config-cipher.port';
import {
  ServicePlatformRepository,
  type ActivationChange,
  type ListPlatformsCriteria,
  type PlatformCursor,
  type PlatformPage,
  type PlatformVersionPage,
  type SealedPlatformPage,
} from '../../application/ports/service-platform.repository.port';
import type { PlatformAccess } from '../../application/authz/platform-access';
import { PlatformConfiguration } from '../../domain/platform-configuration.value-object';
import {
  PlatformAlreadyExistsError,
  PlatformNotFoundError,
  VersionConflictError,
} from '../../domain/platform.errors';
import type { ServicePlatform } from '../../domain/service-platform.entity';
import { Prisma, type ServicePlatform as ServicePlatformRow } from './generated/client';
import { translateStorageError } from './prisma-error.mapper';
import { qualifiedTable } from './prisma-sql';
import { PrismaTransactionHost } from './prisma-transaction.host';
import { PrismaService } from './prisma.service';
import { ServicePlatformPersistenceMapper as Mapper } from './service-platform.persistence-mapper';

/**
 * `ServicePlatformRepository` on PostgreSQL through Prisma. Configurations are encrypted before
 * they reach Prisma and decrypted after: no plaintext secret is ever in a query or a row.
 */
@Injectable()
export class PrismaServicePlatformRepository extends ServicePlatformRepository {
  constructor(
    private readonly transactions: PrismaTransactionHost,
    private readonly prisma: PrismaService,
    private readonly cipher: ConfigCipher,
    private readonly catalog: ServiceCatalog,
  ) {
    super();
  }

  /** The client of the surrounding transaction, if any. */
  private get db(): Prisma.TransactionClient {
    return this.transactions.client;
  }

  create(platform: ServicePlatform): Promise<ServicePlatform> {
    return this.run(async () => {
      const encrypted = await this.cipher.encrypt(
        platform.config.toPlain(),
        Mapper.bindingOf(platform),
      );
      // INSERT ... ON CONFLICT DO NOTHING: a taken (tenant, service) slot is not an SQL error, so
      // a surrounding transaction (an idempotent write) stays usable for the lookup below. A
      // concurrent insert of the same slot is waited for, then counts as taken.
      const { count } = await this.db.servicePlatform.createMany({
        data: [
          {
            id: platform.id,
            tenantId: platform.tenantId,
            serviceName: platform.serviceName,
            ...Mapper.toEncryptedColumns(encrypted),
            isActive: platform.isActive,
            version: platform.version,
            createdAt: platform.createdAt,
            updatedAt: platform.updatedAt,
          },
        ],
        skipDuplicates: true,
      });
      if (count === 1) return platform;
      // Only to say whether it is inactive (no decryption: a row that cannot be read still counts).
      const existing = await this.db.servicePlatform.findUnique({
        where: {
          tenantId_serviceName: { tenantId: platform.tenantId, serviceName: platform.serviceName },
        },
        select: { isActive: true },
      });
      throw new PlatformAlreadyExistsError(
        platform.tenantId,
        platform.serviceName,
        existing?.isActive,
      );
    });
  }

  getById(
    platformId: string,
    access: PlatformAccess,
    options: { forUpdate?: boolean } = {},
  ): Promise<ServicePlatform | null> {
    return this.run(async () => {
      if (options.forUpdate === true) await this.lockRow(platformId);
      const row = await this.db.servicePlatform.findFirst({
        where: allowed(access, { id: platformId }),
      });
      return row === null ? null : this.toDomain(row);
    });
  }

  serviceNameOf(platformId: string, access: PlatformAccess): Promise<string | null> {
    return this.run(async () => {
      const row = await this.db.servicePlatform.findFirst({
        where: allowed(access, { id: platformId }),
        select: { serviceName: true },
      });
      return row?.serviceName ?? null;
    });
  }

  getByTenantService(tenantId: string, serviceName: string): Promise<ServicePlatform | null> {
    return this.run(async () => {
      const row = await this.db.servicePlatform.findUnique({
        where: { tenantId_serviceName: { tenantId, serviceName } },
      });
      return row === null ? null : this.toDomain(row);
    });
  }

  update(platform: ServicePlatform, expectedVersion: number): Promise<ServicePlatform> {
    return this.run(async () => {
      const encrypted = await this.cipher.encrypt(
        platform.config.toPlain(),
        Mapper.bindingOf(platform),
      );
      // Compare-and-set on the version: a concurrent writer makes this match no row.
      const { count } = await this.db.servicePlatform.updateMany({
        where: { id: platform.id, tenantId: platform.tenantId, version: expectedVersion },
        data: {
          ...Mapper.toEncryptedColumns(encrypted),
          isActive: platform.isActive,
          version: platform.version,
          updatedAt: platform.updatedAt,
        },
      });
      if (count === 1) return platform;
      const current = await this.db.servicePlatform.findUnique({
        where: { id: platform.id },
        select: { version: true },
      });
      if (current === null) throw new PlatformNotFoundError(platform.id);
      throw new VersionConflictError(platform.id, expectedVersion, current.version);
    });
  }

  deactivate(platformId: string, access: PlatformAccess): Promise<ActivationChange | null> {
    return this.setActive(platformId, access, false);
  }

  activate(platformId: string, access: PlatformAccess): Promise<ActivationChange | null> {
    return this.setActive(platformId, access, true);
  }

  async listByTenant(
    criteria: ListPlatformsCriteria,
    access: PlatformAccess,
  ): Promise<PlatformPage> {
    const { items, next } = await this.listSealed(criteria, access);
    return { items: await Promise.all(items.map((item) => item.open())), next };
  }

  listVersions(
    criteria: ListPlatformsCriteria,
    access: PlatformAccess,
  ): Promise<PlatformVersionPage> {
    return this.run(async () => {
      const rows = await this.db.servicePlatform.findMany({
        where: listWhere(criteria, access),
        select: { id: true, tenantId: true, version: true },
        orderBy: { id: 'asc' },
        take: criteria.limit + 1,
      });
      return pageOf(rows, criteria.limit);
    });
  }

  listSealed(criteria: ListPlatformsCriteria, access: PlatformAccess): Promise<SealedPlatformPage> {
    return this.run(async () => {
      const rows = await this.db.servicePlatform.findMany({
        where: listWhere(criteria, access),
        orderBy: { id: 'asc' },
        take: criteria.limit + 1,
      });
      const { items, next } = pageOf(rows, criteria.limit);
      return {
        items: items.map((row) => ({
          id: row.id,
          tenantId: row.tenantId,
          version: row.version,
          open: () => this.run(() => this.toDomain(row)),
        })),
        next,
      };
    });
  }

  /**
   * Under the row lock: concurrent (de)activations take turns (only one reports a change), and the
   * new `updated_at` is taken after the lock and never before the previous one, so a platform's
   * change times (its events' `timestamp`, its audit order) grow with its version.
   */
  private setActive(
    platformId: string,
    access: PlatformAccess,
    isActive: boolean,
  ): Promise<ActivationChange | null> {
    return this.transactions.run(() =>
      this.run(async () => {
        await this.lockRow(platformId);
        const row = await this.db.servicePlatform.findFirst({
          where: allowed(access, { id: platformId }),
        });
        if (row === null) return null;
        if (row.isActive === isActive)
          return { platform: await this.toDomain(row), changed: false };
        const now = new Date();
        const changed = await this.db.servicePlatform.update({
          where: { id: platformId },
          data: {
            isActive,
            version: { increment: 1 },
            updatedAt: now > row.updatedAt ? now : new Date(row.updatedAt.getTime() + 1),
          },
        });
        return { platform: await this.toDomain(changed), changed: true };
      }),
    );
  }

  /** `SELECT ... FOR UPDATE`: only meaningful inside a unit of work. */
  private async lockRow(platformId: string): Promise<void> {
    if (!this.transactions.inTransaction) {
      throw new Error('getById({ forUpdate: true }) must run inside UnitOfWork.run()');
    }
    const table = qualifiedTable(this.prisma.schema, 'service_platforms');
    await this.db.$queryRaw`SELECT 1 FROM ${table} WHERE id = ${platformId}::uuid FOR UPDATE`;
  }

  private async toDomain(row: ServicePlatformRow): Promise<ServicePlatform> {
    const plain = await this.cipher.decrypt(Mapper.encryptedConfigOf(row), Mapper.bindingOf(row));
    return Mapper.toDomain(
      row,
      PlatformConfiguration.fromStored(plain),
      this.catalog.secretsOf(row.serviceName),
    );
  }

  private async run<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw translateStorageError(error);
    }
  }
}

/** A condition no row satisfies. */
const NO_ROW: Prisma.ServicePlatformWhereInput = { id: { in: [] } };

/**
 * `where` narrowed to the rows `access` allows. CASL turns the ability's rules into a Prisma
 * condition. Two traps are avoided: `accessibleBy(...).ServicePlatform` is undefined in
 * @casl/prisma 2 (a `where` of undefined returns every row), hence `.ofType(...)`; and an ability
 * with no rule for the action yields an empty-rule condition that Prisma 7 treats as "match
 * everything" (a tenant leak, caught by the integration tests), hence the explicit NO_ROW.
 */
function allowed(
  access: PlatformAccess,
  where: Prisma.ServicePlatformWhereInput,
): Prisma.ServicePlatformWhereInput {
  if (!access.ability.can(access.action, PLATFORM_SUBJECT)) return NO_ROW;
  const permitted = accessibleBy(access.ability, access.action).ofType(PLATFORM_SUBJECT);
  return { AND: [permitted, where] };
}

/** A list's rows: `criteria`'s filters and cursor, narrowed to what `access` allows. */
function listWhere(
  criteria: ListPlatformsCriteria,
  access: PlatformAccess,
): Prisma.ServicePlatformWhereInput {
  const { after } = criteria;
  return allowed(access, {
    ...(criteria.tenantId !== undefined && { tenantId: criteria.tenantId }),
    ...(criteria.isActive !== undefined && { isActive: criteria.isActive }),
    ...(criteria.serviceName !== undefined && { serviceName: criteria.serviceName }),
    ...(after !== undefined && { id: { gt: after.afterId } }),
  });
}

/** The first `limit` of `rows` (read with one more), and the cursor after them if more follow. */
function pageOf<Row extends { id: string }>(
  rows: Row[],
  limit: number,
): { items: Row[]; next: PlatformCursor | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last !== undefined ? { afterId: last.id } : null };
}
