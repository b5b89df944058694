import type { IncomingMessage, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet, { contentSecurityPolicy, type HelmetOptions } from 'helmet';

/** Where Swagger UI lives (the HTML page and its assets); `/api/docs-json` is plain JSON. */
export const DOCS_PATH = '/api/docs';

/**
 * Helmet's headers minus CSP (set per path below): HSTS (1 year, subdomains),
 * `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`,
 * Cross-Origin-Opener/Resource-Policy `same-origin`, no `X-Powered-By`, …
 */
export const HELMET_OPTIONS: Readonly<HelmetOptions> = {
  contentSecurityPolicy: false,
  xFrameOptions: { action: 'deny' },
};

/** The API answers JSON only: nothing may be loaded, framed or submitted from its answers. */
export const API_CSP_DIRECTIVES = {
  'default-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/**
 * Swagger UI: its scripts, styles and images come from this origin (data: icons, inline
 * `<style>` of the page), and "Try it out" calls this origin. No `upgrade-insecure-requests`,
 * which would break the page when served over plain HTTP on anything but localhost.
 */
export const DOCS_CSP_DIRECTIVES = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
};

type NodeMiddleware = (
  request: IncomingMessage,
  response: ServerResponse,
  next: (error?: unknown) => void,
) => void;

const apiCsp = contentSecurityPolicy({ useDefaults: false, directives: API_CSP_DIRECTIVES });
const docsCsp = contentSecurityPolicy({ useDefaults: false, directives: DOCS_CSP_DIRECTIVES });

export function isDocsPath(url: string | undefined): boolean {
  if (url?.startsWith(DOCS_PATH) !== true) return false;
  const path = url.split('?', 1)[0] ?? '';
  return path === DOCS_PATH || path.startsWith(`${DOCS_PATH}/`);
}

/** The strict API policy everywhere, the Swagger UI policy on the docs page and its assets. */
const contentSecurityPolicyByPath: NodeMiddleware = (request, response, next) =>
  (isDocsPath(request.url) ? docsCsp : apiCsp)(request, response, next);

/**
 * The headers helmet's middlewares set: the same for every request (no nonce), so computed once
 * and set in one go, rather than running the middlewares on every request.
 */
function headersOf(middlewares: NodeMiddleware[]): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
    getHeader: (name: string) => headers[name.toLowerCase()],
  } as unknown as ServerResponse;
  for (const middleware of middlewares) {
    middleware({ headers: {}, url: '/' } as IncomingMessage, response, (error?: unknown) => {
      if (error !== undefined) throw error instanceof Error ? error : new Error('helmet failed');
    });
  }
  if (headers['content-security-policy'] === undefined) {
    throw new Error('helmet set no Content-Security-Policy');
  }
  return Object.freeze(headers);
}

const API_HEADERS = headersOf([helmet(HELMET_OPTIONS), apiCsp]);
const DOCS_HEADERS = headersOf([helmet(HELMET_OPTIONS), docsCsp]);

/**
 * Security headers on every answer (API, docs, health, errors, 404s): helmet's, computed once
 * and set by one hook on Fastify (helmet's middlewares were a few % of a cached read), helmet's
 * middlewares on Express; same options. Call before routes are registered.
 */
export function applySecurityHeaders(app: INestApplication, platform: 'fastify' | 'express'): void {
  if (platform === 'fastify') {
    const fastifyApp = app as NestFastifyApplication;
    fastifyApp
      .getHttpAdapter()
      .getInstance()
      .addHook('onRequest', (request, reply, done) => {
        void reply.headers(isDocsPath(request.url) ? DOCS_HEADERS : API_HEADERS);
        done();
      });
  } else {
    const expressApp = app as NestExpressApplication;
    expressApp.use(helmet(HELMET_OPTIONS));
    expressApp.use(contentSecurityPolicyByPath);
  }
}

/**
 * CORS stays off (no CORS headers, preflights answered 404) unless origins are configured;
 * then exactly those origins may call the API with a bearer token (no cookies).
 */
export function corsOptions(origins: readonly string[]): CorsOptions | undefined {
  if (origins.length === 0) return undefined;
  return {
    origin: [...origins],
    methods: ['GET', 'POST', 'PUT'],
    allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key'],
    exposedHeaders: [
      'ETag',
      'Retry-After',
      'WWW-Authenticate',
      'X-RateLimit-Limit',
      'X-RateLimit-Remaining',
      'X-RateLimit-Reset',
    ],
    credentials: false,
    maxAge: 600,
  };
}
