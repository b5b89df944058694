import { Injectable } from '@nestjs/common';
import { StorageHealth } from '../../application/ports/storage-health.port';
import { withTimeout } from '../../application/with-timeout';
import { PrismaService } from './prisma.service';

@Injectable()
export class PrismaStorageHealth extends StorageHealth {
  constructor(private readonly prisma: PrismaService) {
    super();
  }

  async ping(timeoutMs: number): Promise<void> {
    await withTimeout(
      this.prisma.$queryRaw`SELECT 1`,
      timeoutMs,
      `no answer within ${timeoutMs} ms`,
    );
  }
}
