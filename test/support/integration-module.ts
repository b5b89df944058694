import { Test } from '@nestjs/testing';
import type { TestingModule } from '@nestjs/testing';
import { ServicePlatformModule } from '../../src/service-platform';
import { ServicePlatformKeyRotationModule } from '../../src/service-platform/service-platform-key-rotation.module';

/**
 * The real module (real Prisma repository, real cipher) on the run's test database (or `url`),
 * beside the key rotation module, as a host serving both would mount them.
 */
export async function createIntegrationModule(
  keys = process.env.ENCRYPTION_KEYS,
  url = process.env.DATABASE_URL,
): Promise<TestingModule> {
  const options = {
    database: { url: url as string, poolSize: 5 },
    encryption: { keys: keys as string },
  };
  const moduleRef = await Test.createTestingModule({
    imports: [
      ServicePlatformModule.forRoot(options),
      ServicePlatformKeyRotationModule.forRoot(options),
    ],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}
