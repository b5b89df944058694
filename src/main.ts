import 'reflect-metadata';
import { ConfigService } from '@nestjs/config';
import { createApp } from './bootstrap';
import { validateEnvironment, type Environment } from './config/environment';

async function main(): Promise<void> {
  // Fail fast with a readable message (no stack trace) when the environment is invalid.
  validateEnvironment(process.env);
  const app = await createApp('fastify');
  const port = app.get(ConfigService<Environment, true>).get('PORT', { infer: true });
  await app.listen(port, '0.0.0.0');
}

main().catch((error: unknown) => {
  // Configuration errors are written for humans: print the message, not a stack trace.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
