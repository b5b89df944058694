import { randomUUID } from 'node:crypto';
import type { TestingModule } from '@nestjs/testing';
import {
  ServicePlatformReadiness,
  ServicePlatformService,
  type RegisterPlatformRequest,
} from '../../src/service-platform';
import { validConfig } from '../support/fixtures';
import { createIntegrationModule } from '../support/integration-module';

const key = (byte: number): string => Buffer.alloc(32, byte).toString('base64');
const admin = { id: 'admin', tenantId: null, roles: ['platform-admin'] };

describe('key ring canary (fail closed, real PostgreSQL)', () => {
  beforeAll(async () => {
    // Make sure at least one data key wrapped by the test ring's primary key ('test-2') exists.
    const moduleRef = await createIntegrationModule();
    await moduleRef.get(ServicePlatformService).registerPlatform(
      {
        tenant_id: randomUUID(),
        service_name: 'outlook',
        config: validConfig('outlook') as RegisterPlatformRequest['config'],
      },
      admin,
    );
    await moduleRef.close();
  });

  async function readinessWith(keys: string) {
    let moduleRef: TestingModule | undefined;
    try {
      moduleRef = await createIntegrationModule(keys);
      return await moduleRef.get(ServicePlatformReadiness).check();
    } finally {
      await moduleRef?.close();
    }
  }

  it('is ready when the ring opens the stored data keys', async () => {
    const report = await readinessWith(process.env.ENCRYPTION_KEYS as string);
    expect(report).toMatchObject({
      ready: true,
      database: { up: true },
      encryption: { up: true },
    });
  });

  it('is not ready with the wrong material for a key id in use, naming that id', async () => {
    const report = await readinessWith(`test-2:${key(9)},test-1:${key(1)}`);
    expect(report.ready).toBe(false);
    expect(report.encryption.detail).toMatch(/master key 'test-2' cannot open data key/);
  });

  it('is not ready when a master key in use is missing from the ring, naming it', async () => {
    const report = await readinessWith(`other:${key(7)}`);
    expect(report.ready).toBe(false);
    expect(report.encryption.detail).toMatch(
      /master key 'test-2', which is not in ENCRYPTION_KEYS/,
    );
    expect(report.encryption.reason).toBe('the encryption keys cannot open the stored data');
    expect(JSON.stringify(report)).not.toContain(key(2));
  });
});

describe('readiness under a flood of probes', () => {
  it('runs one check at a time for concurrent callers', async () => {
    const moduleRef = await createIntegrationModule();
    try {
      const readiness = moduleRef.get(ServicePlatformReadiness);
      const reports = await Promise.all(Array.from({ length: 50 }, () => readiness.check()));
      expect(new Set(reports).size).toBe(1); // one shared result object
      expect(reports[0]?.ready).toBe(true);
      const later = await readiness.check();
      expect(later).not.toBe(reports[0]); // a new check once the previous one finished
    } finally {
      await moduleRef.close();
    }
  });
});
