import { Injectable, Logger } from '@nestjs/common';
import { Client } from 'pg';
import { OutboxSignal } from '../../application/ports/outbox-signal.port';
import { PrismaService } from './prisma.service';

/** The channel the `outbox_events` insert trigger notifies (payload: `<schema> <event id>`). */
export const OUTBOX_CHANNEL = 'service_platform_outbox';

const RECONNECT_DELAY_MS = 1_000;

/**
 * PostgreSQL `LISTEN service_platform_outbox` on one dedicated connection (outside the pool: a
 * listening connection cannot be shared). The insert trigger notifies at commit. When the
 * connection drops it reconnects after a pause; meanwhile the relay's polling carries on.
 */
@Injectable()
export class PgOutboxSignal extends OutboxSignal {
  private readonly logger = new Logger('ServicePlatformOutbox');
  private client: Client | undefined;
  private listener: (() => void) | undefined;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(private readonly prisma: PrismaService) {
    super();
  }

  async listen(listener: () => void): Promise<void> {
    this.listener = listener;
    this.closed = false;
    await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.prisma.connectionString,
      connectionTimeoutMillis: this.prisma.connectionTimeoutMs,
      keepAlive: true,
    });
    client.on('notification', (message) => {
      if (message.channel === OUTBOX_CHANNEL && schemaOf(message.payload) === this.prisma.schema) {
        this.listener?.();
      }
    });
    client.on('error', (error) => {
      this.logger.warn(`LISTEN connection lost: ${error.message}`);
      this.reconnectLater(client);
    });
    client.on('end', () => this.reconnectLater(client));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (error) {
      this.reconnectLater(client);
      throw error;
    }
    // Events committed while we were not listening: let the relay look now.
    this.listener?.();
  }

  private reconnectLater(client: Client): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    this.reconnectTimer = setTimeout(() => {
      this.connect().catch(() => undefined);
    }, RECONNECT_DELAY_MS);
    this.reconnectTimer.unref();
  }
}

/** The schema named by a notification's payload (`<schema> <event id>`; schemas may hold spaces). */
export function schemaOf(payload: string | undefined): string | undefined {
  if (payload === undefined) return undefined;
  const space = payload.lastIndexOf(' ');
  return space < 0 ? payload : payload.slice(0, space);
}
