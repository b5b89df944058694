#!/usr/bin/env node
// `npm run history:remask`: applies the service catalog's masking to the events and audit
// entries written before it (issue 11). Reads DATABASE_URL and ENCRYPTION_KEYS like the app.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { validateEnvironment } from '../config/environment';
import { HistoryRemasker, ServicePlatformModule } from '../service-platform';

async function main(): Promise<void> {
  const env = validateEnvironment(process.env);
  const app = await NestFactory.createApplicationContext(
    ServicePlatformModule.forRoot({
      database: { url: env.DATABASE_URL, poolSize: 2, queryTimeoutMs: 30_000 },
      encryption: { keys: env.ENCRYPTION_KEYS },
      events: { relay: { enabled: false } },
      cache: { enabled: false },
    }),
    { logger: false, abortOnError: false },
  );
  try {
    const summary = await app.get(HistoryRemasker).remask();
    process.stdout.write(
      `Re-masked ${summary.outboxRowsRemasked} of ${summary.outboxRowsChecked} outbox rows and ` +
        `${summary.auditEntriesRemasked} of ${summary.auditEntriesChecked} audit entries\n`,
    );
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Re-masking failed: ${error instanceof Error ? error.message : String(error)}\n` +
      'What was done is committed; run the command again to finish.\n',
  );
  process.exitCode = 1;
});
