import type { PrismaService } from '../persistence/prisma.service';
import type { PrismaTransactionHost } from '../persistence/prisma-transaction.host';
import { checkValueOf, KeyRing } from './key-ring';
import { KeyRingIncompleteError, PrismaMasterKeyRegistry } from './prisma-master-key-registry';

const MATERIAL = Buffer.alloc(32, 7);

/** Ids in use answered by hand, one call at a time: lets two checks finish out of order. */
function registryWithIdsInUse(): {
  registry: PrismaMasterKeyRegistry;
  answers: Array<(ids: string[]) => void>;
} {
  const answers: Array<(ids: string[]) => void> = [];
  const client = {
    $queryRaw: () =>
      new Promise<{ id: string }[]>((resolve) =>
        answers.push((ids) => resolve(ids.map((id) => ({ id })))),
      ),
    masterKey: {
      findMany: () => Promise.resolve([{ id: 'k1', checkValue: checkValueOf(MATERIAL) }]),
    },
  };
  const transactions = { client } as unknown as PrismaTransactionHost;
  const prisma = { schema: 'service_platform' } as unknown as PrismaService;
  const ring = KeyRing.parse(`k1:${MATERIAL.toString('base64')}`);
  return { registry: new PrismaMasterKeyRegistry(transactions, prisma, ring), answers };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('PrismaMasterKeyRegistry.assertWritable', () => {
  it('a check that failed while an earlier one ran is not overridden by the earlier success', async () => {
    const { registry, answers } = registryWithIdsInUse();
    const earlier = registry.assertWritable();
    await settle();
    const later = registry.assertWritable();
    await settle();
    expect(answers).toHaveLength(2);

    answers[1]?.(['k1', 'k9']); // the later check sees an id this ring lacks
    await expect(later).rejects.toBeInstanceOf(KeyRingIncompleteError);
    answers[0]?.(['k1']); // then the earlier one, begun before, succeeds
    await expect(earlier).resolves.toBeUndefined();

    // Not remembered as writable: the next write checks again, and is refused.
    const next = registry.assertWritable();
    await settle();
    expect(answers).toHaveLength(3);
    answers[2]?.(['k1', 'k9']);
    await expect(next).rejects.toBeInstanceOf(KeyRingIncompleteError);
  });

  it('remembers a success for a few seconds', async () => {
    const { registry, answers } = registryWithIdsInUse();
    const first = registry.assertWritable();
    await settle();
    answers[0]?.(['k1']);
    await first;
    await registry.assertWritable();
    expect(answers).toHaveLength(1);
  });
});
