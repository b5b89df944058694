import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { KeysRotatedEvent } from '../../application/events/keys-rotated.event';
import {
  KeyRotationService,
  type RotationOptions,
  type RotationSummary,
} from '../../application/key-rotation/key-rotation.service';
import { DataKeyStore } from '../crypto/data-key.store';
import { DataKeyWrapper } from '../crypto/data-key-wrapper';
import { RotationBatches } from './key-rotation.batches';
import { FreshDataKeys } from './key-rotation.fresh-keys';
import { ConfigReencryptor } from './key-rotation.reencryptor';
import { DataKeyRewrapper } from './key-rotation.rewrapper';
import { RotationRuns, type RotationRun } from './key-rotation.runs';
import { PrismaMasterKeyRegistry } from '../crypto/prisma-master-key-registry';
import { PrismaTransactionHost } from '../persistence/prisma-transaction.host';
import { PrismaService } from '../persistence/prisma.service';

/**
 * Key rotation on PostgreSQL. A call first checks the ring's primary master key against its
 * registered check value (`master_keys`; a mismatch refuses the run before any write), opens (or
 * resumes) the run of that key, then: re-wrap phase, re-encrypt phase (with `reencrypt`), and, if
 * anything is still on another master key, one more re-wrap pass. The run is marked finished, and `KeysRotatedEvent` published, only when
 * nothing is left on another master key (nor on an old data key).
 */
@Injectable()
export class PrismaKeyRotationService extends KeyRotationService {
  private readonly runs: RotationRuns;
  private readonly rewrapper: DataKeyRewrapper;
  private readonly reencryptor: ConfigReencryptor;

  constructor(
    prisma: PrismaService,
    private readonly transactions: PrismaTransactionHost,
    private readonly wrapper: DataKeyWrapper,
    private readonly dataKeys: DataKeyStore,
    private readonly events: EventBus,
    private readonly masterKeys: PrismaMasterKeyRegistry,
  ) {
    super();
    this.runs = new RotationRuns(transactions);
    this.rewrapper = new DataKeyRewrapper(prisma, wrapper, this.runs);
    this.reencryptor = new ConfigReencryptor(prisma, transactions, dataKeys, this.runs);
  }

  async rotate(options: RotationOptions = {}): Promise<RotationSummary> {
    const reencrypt = options.reencrypt === true;
    const batchSize = RotationBatches.sizeOf(options); // invalid options fail before any write
    // A primary whose material differs from the one registered under its id would re-wrap every
    // data key with a key the other instances do not hold: refuse before writing anything.
    await this.masterKeys.assertUsable(this.wrapper.primaryMasterKeyId);
    const { run, created } = await this.runs.open(this.wrapper.primaryMasterKeyId, reencrypt);
    const batches = new RotationBatches(run.id, batchSize, options);
    batches.stopIfAborted();

    await this.rewrapper.rewrapAll(run.id, batches);
    if (reencrypt) {
      const fresh = new FreshDataKeys(
        this.transactions,
        this.wrapper,
        this.dataKeys,
        run.startedAt,
      );
      await this.reencryptor.reencryptAll(run.id, fresh, batches);
    }
    // Keys created meanwhile by an instance still running with the old primary, or lost races.
    if ((await this.rewrapper.countLeft()) > 0) await this.rewrapper.rewrapAll(run.id, batches);

    const keysLeft = await this.rewrapper.countLeft();
    const configsLeft = reencrypt ? await this.reencryptor.countStale(run.startedAt) : 0;
    const completed = keysLeft === 0 && configsLeft === 0;
    const changed =
      run.finishedAt === null || batches.keysRewrapped > 0 || batches.configsReencrypted > 0;
    const final = completed && changed ? await this.runs.finish(run.id) : await this.reload(run);
    if (completed && changed) this.publish(final, batches);

    return {
      rotationId: run.id,
      masterKeyId: run.masterKeyId,
      reencrypt,
      resumed: !created && run.finishedAt === null,
      completed,
      keysRewrapped: batches.keysRewrapped,
      keysLeftOnOtherMasterKeys: keysLeft,
      configsReencrypted: batches.configsReencrypted,
      configsLeftOnOldDataKeys: configsLeft,
      oldDataKeysKept: reencrypt ? await this.reencryptor.countOldKeys(run.startedAt) : 0,
      run: {
        startedAt: final.startedAt,
        finishedAt: final.finishedAt,
        keysRewrapped: final.keysRewrapped,
        configsReencrypted: final.configsReencrypted,
      },
    };
  }

  private async reload(run: RotationRun): Promise<RotationRun> {
    return (await this.runs.find(run.id)) ?? run;
  }

  private publish(run: RotationRun, batches: RotationBatches): void {
    this.events.publish(
      new KeysRotatedEvent({
        rotationId: run.id,
        masterKeyId: run.masterKeyId,
        reencrypt: run.reencrypt,
        keysRewrapped: batches.keysRewrapped,
        configsReencrypted: batches.configsReencrypted,
        startedAt: run.startedAt,
        finishedAt: run.finishedAt ?? new Date(),
      }),
    );
  }
}
