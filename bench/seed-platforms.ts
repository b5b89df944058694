// Seeds one tenant with N platforms (encrypted like the app writes them, a service each), fast:
// the module's own cipher in process and batched inserts, not N API calls.
//   node scripts/run-ts.cjs bench/seed-platforms.ts <database url> <tenant id> <count>
// Needs ENCRYPTION_KEYS (the ring the app runs with). Prints the count seeded.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ServicePlatformModule } from '../src/service-platform';
import { ConfigCipher } from '../src/service-platform/application/ports/config-cipher.port';
import { newTimeOrderedId } from '../src/service-platform/domain/identifiers';
import { qualifiedTable } from '../src/service-platform/infrastructure/persistence/prisma-sql';
import { PrismaService } from '../src/service-platform/infrastructure/persistence/prisma.service';

export async function seedPlatforms(url: string, tenantId: string, count: number): Promise<number> {
  const app = await NestFactory.createApplicationContext(
    ServicePlatformModule.forRoot({
      database: { url },
      encryption: { keys: process.env.ENCRYPTION_KEYS as string },
      catalog: { allowUnknownServices: true },
      cache: { enabled: false },
      events: { relay: { enabled: false } },
      http: { enabled: false },
      grpc: { enabled: false },
    }),
    { logger: false },
  );
  try {
    const cipher = app.get(ConfigCipher, { strict: false });
    const prisma = app.get(PrismaService, { strict: false });
    const BATCH = 1000;
    for (let start = 0; start < count; start += BATCH) {
      const rows = await Promise.all(
        Array.from({ length: Math.min(BATCH, count - start) }, async (_, i) => {
          const id = newTimeOrderedId();
          const serviceName = `seeded-${start + i}`;
          const encrypted = await cipher.encrypt(
            { client_id: `client-${start + i}`, client_secret: `secret-${start + i}` },
            { tenantId, serviceName, platformId: id },
          );
          return {
            id,
            tenantId,
            serviceName,
            configCiphertext: Buffer.from(encrypted.ciphertext),
            configIv: Buffer.from(encrypted.iv),
            configAuthTag: Buffer.from(encrypted.authTag),
            dataKeyId: encrypted.keyId,
          };
        }),
      );
      await prisma.servicePlatform.createMany({ data: rows });
    }
    // Statistics now, as autovacuum would do within a minute or so: planned on the empty table's,
    // a page is a bitmap scan and sort of the whole tenant instead of an index range.
    await prisma.$executeRaw`ANALYZE ${qualifiedTable(prisma.schema, 'service_platforms')}`;
    return count;
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  const [url, tenant, count] = process.argv.slice(2);
  seedPlatforms(url as string, tenant as string, Number(count)).then(
    (seeded) => console.log(`seeded ${seeded} platforms for tenant ${tenant}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
