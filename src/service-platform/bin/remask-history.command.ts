// `service-platform history:remask`: applies the service catalog's masking to the events and
// audit entries written before it (issue 11). Reads DATABASE_URL and ENCRYPTION_KEYS.
import { NestFactory } from '@nestjs/core';
import { HistoryRemasker } from '../application/catalog/history-remasker';
import { ServicePlatformModule } from '../service-platform.module';
import { databaseFromEnv, parseDatabaseCommandArgs } from './database-from-env';

export const REMASK_USAGE = `Usage: service-platform history:remask [--schema NAME]

Re-masks the outbox rows and audit entries written before the service catalog by the catalog's
rules (built-in services only: a host app with services of its own runs HistoryRemasker from its
app instead). Idempotent: running it again changes nothing.

Options:
  --schema NAME     schema of the module's tables (default: DATABASE_SCHEMA, else the URL's
                    ?schema=, else service_platform)
  -h, --help        show this help

Environment:
  DATABASE_URL      postgresql://user:password@host:5432/database
  ENCRYPTION_KEYS   the service's key ring`;

/** Exit status 0 done, 1 failed (what was done is committed: run it again). */
export async function remaskHistoryCommand(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  out: { log(line: string): void; error(line: string): void },
): Promise<number> {
  const args = parseDatabaseCommandArgs(argv);
  if (args.help) {
    out.log(REMASK_USAGE);
    return 0;
  }
  const database = databaseFromEnv(env, args.schema);
  const keys = env.ENCRYPTION_KEYS?.trim() ?? '';
  if (keys === '') throw new Error('ENCRYPTION_KEYS is required (the service key ring)');
  const app = await NestFactory.createApplicationContext(
    ServicePlatformModule.forRoot({
      database: {
        url: database.url,
        schema: database.schema,
        poolSize: 2,
        queryTimeoutMs: 30_000,
        applicationName: 'service-platform-history-remask',
      },
      encryption: { keys },
      events: { relay: { enabled: false } },
      cache: { enabled: false },
      http: { enabled: false },
      grpc: { enabled: false },
    }),
    { logger: false, abortOnError: false },
  );
  try {
    const summary = await app.get(HistoryRemasker).remask();
    out.log(
      `Re-masked ${summary.outboxRowsRemasked} of ${summary.outboxRowsChecked} outbox rows and ` +
        `${summary.auditEntriesRemasked} of ${summary.auditEntriesChecked} audit entries`,
    );
    return 0;
  } catch (error) {
    out.error(
      `Re-masking failed: ${error instanceof Error ? error.message : String(error)}\n` +
        'What was done is committed; run the command again to finish.',
    );
    return 1;
  } finally {
    await app.close();
  }
}
