import { Injectable } from '@nestjs/common';
import { StorageHealth } from '../../application/ports/storage-health.port';
import { PrismaService } from './prisma.service';

@Injectable()
export class PrismaStorageHealth extends StorageHealth {
  constructor(private readonly prisma: PrismaService) {
    super();
  }

  async ping(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.prisma.$queryRaw`SELECT 1`, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
