import type { Logger } from '@nestjs/common';
import type { Client } from 'pg';
import { withTimeout } from '../../application/with-timeout';
import type { PrismaService } from '../persistence/prisma.service';
import { messageOf } from '../../application/error-message';

const RECONNECT_DELAY_MS = 1_000;
const CLOSE_TIMEOUT_MS = 1_000;

export interface PgListenTiming {
  /** How often a listening connection is asked `SELECT 1` (default 10 s). */
  readonly heartbeatMs: number;
  /** An unanswered heartbeat after this long counts as a lost connection (default 5 s). */
  readonly heartbeatTimeoutMs: number;
}

const DEFAULT_TIMING: PgListenTiming = { heartbeatMs: 10_000, heartbeatTimeoutMs: 5_000 };

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
 *
 * A connection can also die without a word (a NAT timeout, a failover that sends no reset): the
 * socket looks open while nothing arrives. A heartbeat query with a deadline notices that within
 * `heartbeatMs + heartbeatTimeoutMs`, rather than after the operating system's keep-alive
 * (hours, by default).
 */
export class PgListenConnection {
  private client: Client | undefined;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly channel: string,
    private readonly prisma: Pick<PrismaService, 'newClient' | 'schema'>,
    private readonly logger: Logger,
    private readonly handlers: PgListenHandlers,
    private readonly timing: PgListenTiming = DEFAULT_TIMING,
  ) {}

  async open(): Promise<void> {
    this.closed = false;
    await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeatTimer);
    const client = this.client;
    this.client = undefined;
    // A silent server never acknowledges the goodbye: do not let it hold up a shutdown.
    if (client !== undefined) {
      await withTimeout(client.end(), CLOSE_TIMEOUT_MS, 'no answer').catch(() => {
        destroySocket(client);
      });
    }
  }

  private async connect(): Promise<void> {
    const client = this.prisma.newClient();
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
    // Lost or closed while LISTEN was on its way: whoever ended it has taken over.
    if (this.closed || this.client !== client) return;
    this.startHeartbeat(client);
    this.handlers.onListening();
  }

  private startHeartbeat(client: Client): void {
    clearInterval(this.heartbeatTimer);
    const { heartbeatMs, heartbeatTimeoutMs } = this.timing;
    this.heartbeatTimer = setInterval(() => {
      if (this.client !== client) return;
      withTimeout(client.query('SELECT 1'), heartbeatTimeoutMs, 'no answer').catch(
        (error: unknown) => {
          const why = messageOf(error);
          this.logger.warn(`LISTEN ${this.channel} connection silent (${why}): reconnecting`);
          this.reconnectLater(client);
        },
      );
    }, heartbeatMs);
    this.heartbeatTimer.unref();
  }

  private reconnectLater(client: Client): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    clearInterval(this.heartbeatTimer);
    this.handlers.onLost?.();
    const ended = client.end().catch(() => undefined);
    void withTimeout(ended, CLOSE_TIMEOUT_MS, 'no answer').catch(() => destroySocket(client));
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

/**
 * `end()` on a silent server waits for a goodbye that never comes, and leaves the socket open
 * until TCP gives up (minutes): close it ourselves. (`pg` has no public handle on its socket.)
 */
function destroySocket(client: Client): void {
  (
    client as unknown as { connection?: { stream?: { destroy(): void } } }
  ).connection?.stream?.destroy();
}
