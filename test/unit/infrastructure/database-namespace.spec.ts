import { Pool } from 'pg';
import { databaseNamespace } from '../../../src/service-platform/infrastructure/persistence/prisma.service';

/**
 * The read cache's Redis keys carry the database they describe, so that deployments sharing a
 * Redis never read each other's views. Found in review: a host pool built from a connection
 * string (the usual `new Pool({ connectionString })`) was named by its unset fields, so every
 * such database was `localhost:5432/`.
 */
describe('databaseNamespace', () => {
  const pools: Pool[] = [];
  const pool = (config: ConstructorParameters<typeof Pool>[0]): Pool => {
    const created = new Pool(config);
    pools.push(created);
    return created;
  };

  afterAll(async () => {
    await Promise.all(pools.map((created) => created.end()));
  });

  it('tells host pools on different databases apart, credentials left out', () => {
    const a = databaseNamespace({
      pool: pool({ connectionString: 'postgresql://app:s3cret@db-a.internal:6432/orders' }),
    });
    const b = databaseNamespace({
      pool: pool({ connectionString: 'postgresql://app:s3cret@db-b.internal/orders' }),
    });
    expect(a).toBe('db-a.internal:6432/orders/service_platform');
    expect(b).toBe('db-b.internal:5432/orders/service_platform');
    expect(a + b).not.toContain('s3cret');
  });

  it('a pool from fields, a pool with a schema, and a URL agree on the same database', () => {
    const fromFields = databaseNamespace({
      pool: pool({ host: 'db-a.internal', port: 6432, database: 'orders' }),
      schema: 'platforms',
    });
    const fromUrl = databaseNamespace({
      url: 'postgresql://app:pw@db-a.internal:6432/orders?schema=platforms',
    });
    expect(fromFields).toBe('db-a.internal:6432/orders/platforms');
    expect(fromUrl).toBe(fromFields);
  });
});
