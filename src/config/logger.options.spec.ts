import { Writable } from 'node:stream';
import pino from 'pino';
import { loggerOptions } from './logger.options';

/** A pino logger built from the app's options, writing into memory. */
function capture(): { logger: pino.Logger; lines: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const [options] = loggerOptions('info').pinoHttp as [pino.LoggerOptions, unknown];
  return { logger: pino(options, stream), lines: () => chunks.join('') };
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

  it('logs a request as id, method and url only (never headers or body)', () => {
    const [options] = loggerOptions('info').pinoHttp as [pino.LoggerOptions, unknown];
    const serialize = options.serializers?.req;
    expect(
      serialize?.({
        id: 1,
        method: 'POST',
        url: '/api/v1/platforms',
        headers: { authorization: 'x' },
        body: { client_secret: 'y' },
      }),
    ).toEqual({ id: 1, method: 'POST', url: '/api/v1/platforms' });
  });
});
