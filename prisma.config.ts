import { defineConfig } from 'prisma/config';

// Prisma 7 reads the connection string from here (not from schema.prisma).
// `prisma generate` does not need a database, so an unset DATABASE_URL is allowed.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
