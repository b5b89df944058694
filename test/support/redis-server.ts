import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { freePort } from './grpc-client';
import { redisSource } from './suite-requirements';

/**
 * A throw-away `redis-server` child process on a free port of 127.0.0.1 (nothing saved to disk),
 * for tests that must stop and restart the broker without touching the machine's shared Redis.
 */
export class ThrowAwayRedis {
  private process: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    /** TEST_REDIS_URL's server (no redis-server on the PATH): shared, never stopped here. */
    private readonly external?: string,
  ) {}

  static async start(): Promise<ThrowAwayRedis> {
    if (redisSource() === 'TEST_REDIS_URL') {
      const url = process.env.TEST_REDIS_URL as string;
      return new ThrowAwayRedis(Number(new URL(url).port || 6379), url);
    }
    const redis = new ThrowAwayRedis(await freePort());
    await redis.resume();
    return redis;
  }

  get url(): string {
    return this.external ?? `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.process !== undefined;
  }

  /** Starts the server again on the same port (after `stop()`). */
  async resume(): Promise<void> {
    if (this.external !== undefined) {
      throw new Error('TEST_REDIS_URL: this suite needs redis-server on the PATH to restart Redis');
    }
    if (this.process !== undefined) return;
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    this.process = child;
    const deadline = Date.now() + 10_000;
    while (!(await answers(this.port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        this.process = undefined;
        throw new Error(`redis-server did not start on port ${this.port}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Kills the server (SIGKILL: clients see their connections die). */
  async stop(): Promise<void> {
    const child = this.process;
    if (child === undefined) return;
    this.process = undefined;
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.write('PING\r\n');
    });
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
