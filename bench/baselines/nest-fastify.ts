// Baseline of `npm run bench:http`: a minimal Nest 12 + Fastify app with no guards, serving from
// memory the same JSON the app answers (`GET /platforms/:id`) and a liveness route
// (`GET /health/live`, Terminus's body). Started as `node scripts/run-ts.cjs
// bench/baselines/nest-fastify.ts <port> <json file>`; says "ready" on stdout once listening.
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

const [port, file] = process.argv.slice(2);
const body = JSON.parse(readFileSync(file as string, 'utf8')) as object;

@Controller()
class BaselineController {
  @Get('api/v1/platforms/:id')
  platform(): object {
    return body;
  }

  @Get('health/live')
  live(): object {
    return { status: 'ok', info: {}, error: {}, details: {} };
  }
}

@Module({ controllers: [BaselineController] })
class BaselineModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(
    BaselineModule,
    new FastifyAdapter(),
    {
      logger: false,
    },
  );
  await app.listen(Number(port), '127.0.0.1');
  process.stdout.write('ready\n');
}

void main();
