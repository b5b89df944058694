import { Writable } from 'node:stream';
import type pino from 'pino';
import { createAppLoggers } from './logger.options';
import { logRequest } from '../observability/request-log';

/** A pino logger built from the app's options, writing into memory. */
function capture(): { logger: pino.Logger; lines: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createAppLoggers('info', stream).root, lines: () => chunks.join('') };
}

describe('logger options', () => {
  it('redacts credentials wherever the contract fields appear', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        req: { headers: { authorization: 'Bearer eyJ.secret.jwt', cookie: 'session=abc' } },
        config: { client_id: 'visible-id', client_secret: 'plain-secret' },
        platform: { config: { client_secret: 'nested-secret' } },
        oauth: { refresh_token: 'rt-secret', access_token: 'at-secret', token: 't-secret' },
      },
      'request',
    );
    const output = lines();
    for (const secret of [
      'eyJ.secret.jwt',
      'session=abc',
      'plain-secret',
      'nested-secret',
      'rt-secret',
      'at-secret',
      't-secret',
    ]) {
      expect(output).not.toContain(secret);
    }
    expect(output).toContain('visible-id');
    expect(output).toContain('[REDACTED]');
  });

  it('redacts bearer tokens and secrets logged by hand', () => {
    const { logger, lines } = capture();
    logger.warn(
      {
        headers: { authorization: 'Bearer hand.logged.jwt' },
        call: { metadata: { authorization: 'Bearer grpc.metadata.jwt' } },
        upstream: { authorization: 'Bearer upstream.jwt', 'proxy-authorization': 'x' },
        env: { AUTH_JWT_SECRET: 'jwt-secret-value', ENCRYPTION_KEYS: 'k1:key-material' },
        oidc: { id_token: 'id-token-value', api_key: 'api-key-value', private_key: 'pk-value' },
        req: { headers: { 'proxy-authorization': 'Basic proxy-secret' } },
      },
      'by hand',
    );
    const output = lines();
    for (const secret of [
      'hand.logged.jwt',
      'grpc.metadata.jwt',
      'upstream.jwt',
      'jwt-secret-value',
      'key-material',
      'id-token-value',
      'api-key-value',
      'pk-value',
      'proxy-secret',
    ]) {
      expect(output).not.toContain(secret);
    }
  });

  it('logs a request as one line of id, method, path, status, duration and its fields', () => {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString('utf8'));
        done();
      },
    });
    const { requests } = createAppLoggers('info', stream);
    const fields = { route: '/api/v1/platforms', tenant_id: 't1', error_code: 'CONFLICT' };
    logRequest(requests, {
      id: 'r1',
      method: 'POST',
      path: '/api/v1/platforms',
      statusCode: 409,
      responseTimeMs: 3.4,
      fields,
    });
    logRequest(requests, {
      id: 'r2',
      method: 'GET',
      path: '/api/v1/platforms',
      statusCode: 503,
      responseTimeMs: 1,
      fields: {},
    });
    const [conflict, failure] = chunks.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(conflict).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { id: 'r1', method: 'POST', url: '/api/v1/platforms' },
      res: { statusCode: 409 },
      responseTime: 3,
      ...fields,
    });
    expect(Object.keys(conflict?.req as object)).toEqual(['id', 'method', 'url']);
    expect(failure).toMatchObject({ level: 50, msg: 'request errored', res: { statusCode: 503 } });
  });
});
