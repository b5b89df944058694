import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { newTenantId } from '../support/fixtures';
import { API, expectErrorBody, http, registerPlatform, startListeningApp } from './e2e-helpers';

const PAIRS = 20;
const REQUESTS_PER_ID = 5;
/** Out of 20 fair coin flips, 15 or more heads happen about 2% of the time. */
const MOST_WINS_BY_CHANCE = 14;

/**
 * Issue 10, defect 4: another tenant's cached platform answered 404 in about half the time of an
 * unknown id (a memory hit against a database read), which told that it exists. Both must take
 * the same path. Measured as the issue states it: the fastest of 5 requests per id, over 20
 * interleaved pairs; the existing id may not win more often than chance allows. A round that
 * lands in the 2% tail by chance is measured once more (before the fix, 92% of pairs went to the
 * existing id: both rounds fail).
 */
describe('404 timing: another tenant’s platform and an unknown id are indistinguishable', () => {
  let app: INestApplication;
  let foreignId: string;
  const caller = { tenantId: newTenantId(), roles: ['tenant-admin'] };

  beforeAll(async () => {
    app = await startListeningApp('fastify');
    const owner = newTenantId();
    foreignId = (await registerPlatform(app, owner)).platform.id;
    // Cached, as the owner's own reads leave it.
    expect(
      (
        await http(app, { as: { tenantId: owner, roles: ['tenant-admin'] } }).get(
          `${API}/${foreignId}`,
        )
      ).status,
    ).toBe(200);
  });
  afterAll(async () => {
    await app?.close();
  });

  async function fastest(id: string): Promise<number> {
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < REQUESTS_PER_ID; i++) {
      const start = process.hrtime.bigint();
      const res = await http(app, { as: caller }).get(`${API}/${id}`);
      const elapsed = Number(process.hrtime.bigint() - start);
      expectErrorBody(res, 404, 'PLATFORM_NOT_FOUND');
      best = Math.min(best, elapsed);
    }
    return best;
  }

  /** How many of 20 pairs the existing id answered faster. */
  async function foreignWins(): Promise<number> {
    let wins = 0;
    for (let pair = 0; pair < PAIRS; pair++) {
      const unknownId = randomUUID();
      // Alternate which id goes first, so that warming up favours neither.
      const [foreign, unknown] =
        pair % 2 === 0
          ? [await fastest(foreignId), await fastest(unknownId)]
          : [await fastest(unknownId), await fastest(foreignId)].reverse();
      if ((foreign as number) < (unknown as number)) wins += 1;
    }
    return wins;
  }

  it('the same answer, and no faster for the existing id than chance allows', async () => {
    const foreign = await http(app, { as: caller }).get(`${API}/${foreignId}`);
    const unknown = await http(app, { as: caller }).get(`${API}/${randomUUID()}`);
    expect(foreign.body).toEqual(unknown.body);
    expect(Object.keys(foreign.headers).sort()).toEqual(Object.keys(unknown.headers).sort());

    await fastest(randomUUID()); // warm-up
    const rounds = [await foreignWins()];
    if ((rounds[0] as number) > MOST_WINS_BY_CHANCE) rounds.push(await foreignWins());
    expect(Math.min(...rounds)).toBeLessThanOrEqual(MOST_WINS_BY_CHANCE);
  }, 60_000);
});
