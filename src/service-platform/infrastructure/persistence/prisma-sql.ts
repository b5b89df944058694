import { Prisma } from './generated/client';

/** `"schema"."table"` for raw SQL (Prisma's own queries qualify names through the adapter). */
export function qualifiedTable(schema: string, name: string): Prisma.Sql {
  const quote = (identifier: string): string => `"${identifier.replace(/"/g, '""')}"`;
  return Prisma.raw(`${quote(schema)}.${quote(name)}`);
}
