/**
 * `pg` ignores Prisma's `?schema=` URL parameter: it is taken out of the connection string and
 * returned apart (the module's schema when none is given otherwise).
 */
export function splitSchema(url: string): { connectionString: string; schema?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(
      'Invalid database URL (expected postgresql://user:password@host:5432/database)',
    );
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol)) {
    throw new Error(`Unsupported database URL protocol "${parsed.protocol}" (PostgreSQL only)`);
  }
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), ...(schema && { schema }) };
}
