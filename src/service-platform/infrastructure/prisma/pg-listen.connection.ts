import type { Logger } from '@nestjs/common';
import { Client } from 'pg';
import type { PrismaService } from './prisma.service';

const RECONNECT_DELAY_MS = 1_000;

export interface PgListenHandlers {
  /** How many space-separated fields follow the schema in this channel's payloads. */
  readonly fields: number;
  /** A notification on the channel from this module's schema: the fields after the schema. */
  readonly onNotification: (fields: readonly string[]) => void;
  /**
   * Called each time the connection (re)starts listening: notifications sent meanwhile were lost,
   * so whatever depends on them must catch up.
   */
  readonly onListening: () => void;
  /** Called when a listening connection is lost (it reconnects by itself). */
  readonly onLost?: () => void;
}

/**
 * PostgreSQL `LISTEN <channel>` on one dedicated connection (outside the pool: a listening
 * connection cannot be shared) that reconnects after a pause when it drops. Payloads start with
 * the notifying table's schema (`<schema> <rest>`), so that several schemas of one database (one
 * per test run, say) do not hear each other.
 */
export class PgListenConnection {
  private client: Client | undefined;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly channel: string,
    private readonly prisma: PrismaService,
    private readonly logger: Logger,
    private readonly handlers: PgListenHandlers,
  ) {}

  async open(): Promise<void> {
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
      if (message.channel !== this.channel) return;
      const fields = payloadFields(message.payload, this.prisma.schema, this.handlers.fields);
      if (fields !== undefined) this.handlers.onNotification(fields);
    });
    client.on('error', (error) => {
      this.logger.warn(`LISTEN ${this.channel} connection lost: ${error.message}`);
      this.reconnectLater(client);
    });
    client.on('end', () => this.reconnectLater(client));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (error) {
      this.reconnectLater(client);
      throw error;
    }
    this.handlers.onListening();
  }

  private reconnectLater(client: Client): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    this.handlers.onLost?.();
    client.end().catch(() => undefined);
    this.reconnectTimer = setTimeout(() => {
      this.connect().catch(() => undefined);
    }, RECONNECT_DELAY_MS);
    this.reconnectTimer.unref();
  }
}

/**
 * The fields of a `<schema> <field> …` payload when it comes from `schema` and has `count` fields,
 * else undefined. Schemas may hold spaces (fields never do): counting fields from the end is what
 * tells schema `a` from schema `a b`.
 */
export function payloadFields(
  payload: string | undefined,
  schema: string,
  count: number,
): string[] | undefined {
  if (payload?.startsWith(`${schema} `) !== true) return undefined;
  const fields = payload.slice(schema.length + 1).split(' ');
  return fields.length === count && fields.every((field) => field !== '') ? fields : undefined;
}
