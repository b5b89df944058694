import fc from 'fast-check';
import { RollingWindowThrottlerStorage } from './rolling-window-throttler.storage';

const MINUTE = 60_000;

/** A storage on a clock the test moves by hand. */
function storageAt(start = 1_000_000) {
  const clock = { now: start };
  const storage = new RollingWindowThrottlerStorage(() => clock.now);
  const hit = (key = 'default:tenant:a', limit = 3, blockDuration = 0) =>
    storage.increment(key, MINUTE, limit, blockDuration);
  return { clock, storage, hit };
}

describe('RollingWindowThrottlerStorage', () => {
  it('lets `limit` requests through in a window, then blocks with the seconds until the oldest frees', async () => {
    const { clock, hit } = storageAt();
    expect(await hit()).toEqual({
      totalHits: 1,
      timeToExpire: 60,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
    clock.now += 10_000;
    expect((await hit()).totalHits).toBe(2);
    clock.now += 10_000;
    expect((await hit()).totalHits).toBe(3);
    clock.now += 5_500;
    // The oldest request was 25.5 s ago: its slot frees in 34.5 s → 35.
    expect(await hit()).toEqual({
      totalHits: 4,
      timeToExpire: 35,
      isBlocked: true,
      timeToBlockExpire: 35,
    });
  });

  it('a blocked request does not count: the slot frees when the oldest admitted one expires', async () => {
    const { clock, hit } = storageAt();
    await hit();
    clock.now += 1_000;
    await hit();
    await hit();
    for (let i = 0; i < 10; i += 1) expect((await hit()).isBlocked).toBe(true);
    clock.now += MINUTE - 1_000; // the first hit expires exactly now
    const freed = await hit();
    expect(freed.isBlocked).toBe(false);
    expect(freed.totalHits).toBe(3);
    expect((await hit()).isBlocked).toBe(true);
  });

  it('keeps keys apart', async () => {
    const { hit } = storageAt();
    for (let i = 0; i < 3; i += 1) await hit('default:tenant:a');
    expect((await hit('default:tenant:a')).isBlocked).toBe(true);
    expect((await hit('default:tenant:b')).isBlocked).toBe(false);
  });

  it('with a blockDuration, an over-limit request blocks the key for that long', async () => {
    const { clock, hit } = storageAt();
    for (let i = 0; i < 3; i += 1) await hit('k', 3, 120_000);
    const blocked = await hit('k', 3, 120_000);
    expect(blocked).toMatchObject({ isBlocked: true, timeToBlockExpire: 120 });
    clock.now += MINUTE + 1; // the hits have expired, the block has not
    expect(await hit('k', 3, 120_000)).toMatchObject({ isBlocked: true, timeToBlockExpire: 60 });
    clock.now += MINUTE;
    expect((await hit('k', 3, 120_000)).isBlocked).toBe(false);
  });

  it('a block shorter than the window ends with a fresh budget (as the package does)', async () => {
    const { clock, hit } = storageAt();
    for (let i = 0; i < 3; i += 1) await hit('k', 3, 10_000);
    expect((await hit('k', 3, 10_000)).isBlocked).toBe(true);
    clock.now += 11_000; // the block is over; the three hits are still in the minute
    expect(await hit('k', 3, 10_000)).toMatchObject({ isBlocked: false, totalHits: 1 });
  });

  it('a limit of 0 blocks everything, with a Retry-After of at least 1 s', async () => {
    const { hit } = storageAt();
    expect(await hit('k', 0)).toMatchObject({ isBlocked: true, timeToBlockExpire: 60 });
  });

  // Regression: @nestjs/throttler 6.7's own storage takes Math.min(...hits) on every request,
  // which throws RangeError (stack overflow) past ~120,000 hits in one window: every request of
  // that tenant then failed with a 500. Run against it, this test throws.
  it('a large limit with 200,000 hits in one window still answers', async () => {
    const { clock, hit } = storageAt();
    const limit = 1_000_000;
    let last;
    for (let i = 0; i < 200_000; i += 1) {
      clock.now += 0.25;
      last = await hit('k', limit);
    }
    expect(last).toMatchObject({ totalHits: 200_000, isBlocked: false });
  });

  it('drops keys idle for a window at the next sweep', async () => {
    const { clock, storage, hit } = storageAt();
    await hit('a');
    await hit('b');
    expect(storage.size).toBe(2);
    clock.now += MINUTE + 1;
    await hit('c');
    expect(storage.size).toBe(1);
  });

  it('matches a plain list of timestamps for any sequence of requests (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 30_000 }), { maxLength: 80 }),
        async (limit, gaps) => {
          const { clock, hit } = storageAt();
          let admitted: number[] = [];
          for (const gap of gaps) {
            clock.now += gap;
            admitted = admitted.filter((at) => at + MINUTE > clock.now);
            const record = await hit('k', limit);
            const expectBlocked = admitted.length >= limit;
            expect(record.isBlocked).toBe(expectBlocked);
            if (!expectBlocked) admitted.push(clock.now);
            expect(record.totalHits).toBe(admitted.length + (expectBlocked ? 1 : 0));
            if (expectBlocked) {
              const oldest = admitted[0] ?? clock.now;
              expect(record.timeToBlockExpire).toBe(
                Math.max(1, Math.ceil((oldest + MINUTE - clock.now) / 1000)),
              );
            }
          }
        },
      ),
    );
  });
});
