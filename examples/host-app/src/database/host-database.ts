import { Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { PrismaClient } from '../generated/prisma/client';

/**
 * The host's own database access: one `pg.Pool` (shared with the Service Platform module, which
 * runs on it and never ends it) and the host's own Prisma client for its tables in `public`.
 */
@Injectable()
export class HostDatabase implements OnApplicationShutdown {
  readonly pool: Pool;
  readonly prisma: PrismaClient;

  constructor() {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is required');
    this.pool = new Pool({ connectionString: url, max: 10, application_name: 'host-app' });
    this.prisma = new PrismaClient({ adapter: new PrismaPg(this.pool) });
  }

  /** The module's shutdown hooks (outbox flush) ran before this: the pool is the host's to end. */
  async onApplicationShutdown(): Promise<void> {
    await this.prisma.$disconnect();
    await this.pool.end();
  }
}

@Module({ providers: [HostDatabase], exports: [HostDatabase] })
export class HostDatabaseModule {}
