import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface TcpProxyTarget {
  host: string;
  port: number;
}

/** One proxied connection: what the client opened and the matching upstream connection. */
interface Pipe {
  client: Socket;
  upstream: Socket | undefined;
}

/**
 * A TCP proxy on 127.0.0.1 that tests cut and restore to simulate database outages:
 * - `close()` stops accepting AND destroys every open connection, so clients see their
 *   connections die and new ones refused (a database that is down);
 * - `stall()` keeps every connection open but forwards nothing, and accepts new connections
 *   without ever answering them (a network partition, or a frozen server);
 * - `open()` listens again on the same port and forwards normally (connections that were
 *   stalled are destroyed: they lost data).
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly pipes = new Set<Pipe>();
  private boundPort = 0;
  private stalled = false;

  private constructor(private readonly target: TcpProxyTarget) {}

  /** Starts a proxy on an ephemeral port of 127.0.0.1 forwarding to `target`. */
  static async start(target: TcpProxyTarget = testDatabaseServer()): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await proxy.open();
    return proxy;
  }

  /** The port the proxy listens on; the same after `close()` and `open()`. */
  get port(): number {
    return this.boundPort;
  }

  /** Connections currently open through the proxy. */
  get connectionCount(): number {
    return this.pipes.size;
  }

  /** `url` (e.g. a PostgreSQL connection string) pointed at the proxy instead. */
  rewrite(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.boundPort);
    return parsed.toString();
  }

  /** Forwards again (listening on the proxy's port if closed); the first call picks the port. */
  async open(): Promise<void> {
    if (this.stalled) {
      this.stalled = false;
      this.destroyAll();
    }
    await this.listen();
  }

  /** Stops accepting connections and destroys the open ones. */
  async close(): Promise<void> {
    this.stalled = false;
    const server = this.server;
    this.server = undefined;
    this.destroyAll();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Keeps connections open but silent, and accepts new ones without answering. */
  async stall(): Promise<void> {
    this.stalled = true;
    for (const pipe of this.pipes) {
      pipe.client.unpipe();
      pipe.upstream?.unpipe();
      pipe.client.pause();
      pipe.upstream?.pause();
    }
    await this.listen();
  }

  private async listen(): Promise<void> {
    if (this.server !== undefined) return;
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (server.address() as AddressInfo).port;
    this.server = server;
  }

  private accept(client: Socket): void {
    const pipe: Pipe = { client, upstream: undefined };
    this.pipes.add(pipe);
    const teardown = (): void => {
      client.destroy();
      pipe.upstream?.destroy();
      this.pipes.delete(pipe);
    };
    client.on('error', teardown).on('close', teardown);
    if (this.stalled) {
      client.pause(); // never answered
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    pipe.upstream = upstream;
    upstream.on('error', teardown).on('close', teardown);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private destroyAll(): void {
    for (const pipe of this.pipes) {
      pipe.client.destroy();
      pipe.upstream?.destroy();
    }
    this.pipes.clear();
  }
}

/** The PostgreSQL server of the test run (the machine's, or the run's embedded one). */
function testDatabaseServer(): TcpProxyTarget {
  const url = new URL(process.env.DATABASE_URL ?? 'postgresql://127.0.0.1:5432/postgres');
  return { host: url.hostname, port: Number(url.port || 5432) };
}
