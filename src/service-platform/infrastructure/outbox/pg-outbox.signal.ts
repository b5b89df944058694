import { Injectable, Logger } from '@nestjs/common';
import { OutboxSignal } from '../../application/ports/outbox-signal.port';
import { PgListenConnection } from '../listen/pg-listen.connection';
import { PrismaService } from '../persistence/prisma.service';

/** The channel the `outbox_events` insert trigger notifies (payload: `<schema> <event id>`). */
export const OUTBOX_CHANNEL = 'service_platform_outbox';

/**
 * `LISTEN service_platform_outbox`: the insert trigger notifies at commit. While the connection is
 * down (it reconnects by itself) the relay's polling carries on.
 */
@Injectable()
export class PgOutboxSignal extends OutboxSignal {
  private connection: PgListenConnection | undefined;

  constructor(private readonly prisma: PrismaService) {
    super();
  }

  async listen(listener: () => void): Promise<void> {
    await this.connection?.close();
    this.connection = new PgListenConnection(
      OUTBOX_CHANNEL,
      this.prisma,
      new Logger('ServicePlatformOutbox'),
      {
        fields: 1,
        onNotification: listener,
        // Events committed while we were not listening: let the relay look now.
        onListening: listener,
      },
    );
    await this.connection.open();
  }

  async close(): Promise<void> {
    await this.connection?.close();
  }
}
