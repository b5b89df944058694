import { Test } from '@nestjs/testing';
import type { TestingModule } from '@nestjs/testing';
import { ServicePlatformModule } from '../../src/service-platform';

/** The real module (real Prisma repository, real cipher) on the run's test database (or `url`). */
export async function createIntegrationModule(
  keys = process.env.ENCRYPTION_KEYS,
  url = process.env.DATABASE_URL,
): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      ServicePlatformModule.forRoot({
        database: { url: url as string, poolSize: 5 },
        encryption: { keys: keys as string },
      }),
    ],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}
