import { defineConfig } from 'prisma/config';

// The host app's own Prisma project: its tables stay in `public`, the module's in
// `service_platform`, so neither migration history sees the other's tables.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
