#!/usr/bin/env node
// CI of the separate host app (examples/host-app, issue 12), as a new team would use the package:
//   1. `npm pack` the library (built already: run `npm run build` first), and install the tarball
//      into the example with `npm ci` (its own lock file);
//   2. build the example (its own `prisma generate` for its own model, then tsc);
//   3. a fresh database: the host's migrations into `public` (what `prisma migrate deploy` does,
//      through the wasm schema engine here), the module's with the package's own bin
//      (`npx service-platform migrate`) into `service_platform`; then prove neither schema drifts
//      from its Prisma schema, so the two migration histories never meet;
//   4. the example's e2e (`npm test` there).
'use strict';

const { spawnSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { createTestDatabase, dropDatabase } = require('./lib/test-database.cjs');
const { applyMigrations, diffSchemaAgainstDatabase } = require('./lib/schema-engine.cjs');

const root = path.join(__dirname, '..');
const source = path.join(root, 'examples', 'host-app');
// The example runs from a copy outside the repository: inside it, Node would also find the
// repository's own node_modules, and a dependency missing from the package would go unnoticed.
const example = path.join(
  fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'sp-host-app-')),
  'host-app',
);

function run(command, args, options = {}) {
  console.log(
    `$ ${[command, ...args].join(' ')}${options.cwd ? `   (in ${path.relative(root, options.cwd) || '.'})` : ''}`,
  );
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
  }
}

function withSchema(url, schema) {
  const parsed = new URL(url);
  parsed.searchParams.set('schema', schema);
  return parsed.toString();
}

async function main() {
  if (!fs.existsSync(path.join(root, 'dist', 'service-platform', 'index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first');
  }
  fs.cpSync(source, example, {
    recursive: true,
    filter: (file) => !/[\\/](node_modules|dist|\.package|generated)$/.test(file),
  });
  // 1. The package, as `npm pack` makes it, installed from its tarball.
  const packDir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'sp-pack-'));
  run('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir], { cwd: root });
  const [tarball] = fs.readdirSync(packDir).filter((name) => name.endsWith('.tgz'));
  fs.mkdirSync(path.join(example, '.package'), { recursive: true });
  fs.copyFileSync(
    path.join(packDir, tarball),
    path.join(example, '.package', 'service-platform.tgz'),
  );
  fs.rmSync(packDir, { recursive: true, force: true });
  // The tarball changes with every build: its checksum cannot be pinned in the lock file.
  const lockPath = path.join(example, 'package-lock.json');
  const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
  if (lock.packages['node_modules/service-platform']?.integrity !== undefined) {
    delete lock.packages['node_modules/service-platform'].integrity;
    fs.writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
  }
  run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: example });
  // Every dependency of the package is installed (a lock file older than the package's
  // dependencies misses some: refresh examples/host-app/package-lock.json), and Nest is there
  // once: the package's peers are the host's own copies.
  const listed = spawnSync('npm', ['ls', '--all', 'service-platform'], {
    cwd: example,
    encoding: 'utf8',
  });
  if (listed.status !== 0) {
    throw new Error(
      `the example's lock file misses dependencies of the package (npm install in examples/host-app):\n${listed.stdout}${listed.stderr}`,
    );
  }
  for (const name of ['@nestjs/core', '@nestjs/common', '@nestjs/cqrs']) {
    const copies = spawnSync('npm', ['ls', '--all', '--parseable', name], {
      cwd: example,
      encoding: 'utf8',
    })
      .stdout.split('\n')
      .filter((line) => line.trim() !== '');
    if (new Set(copies).size !== 1) throw new Error(`${name} is installed ${copies.length} times`);
  }

  // 2. The example builds with its own Prisma client and the package's types.
  run('npm', ['run', 'build'], { cwd: example });

  // 3. One database for both: the host's tables in public, the module's in service_platform.
  const { name, url } = await createTestDatabase({ prefix: 'sp_example' });
  try {
    const hostApplied = await applyMigrations({
      url: withSchema(url, 'public'),
      migrationsDir: path.join(example, 'prisma', 'migrations'),
    });
    console.log(`Host migrations applied to public: ${hostApplied.join(', ')}`);
    run('npx', ['--no-install', 'service-platform', 'migrate'], {
      cwd: example,
      env: { ...process.env, DATABASE_URL: url },
    });
    const hostDrift = await diffSchemaAgainstDatabase({
      url: withSchema(url, 'public'),
      schemaPath: path.join(example, 'prisma', 'schema.prisma'),
    });
    const moduleDrift = await diffSchemaAgainstDatabase({
      url: withSchema(url, 'service_platform'),
      schemaPath: path.join(root, 'prisma', 'schema.prisma'),
    });
    if (hostDrift !== '' || moduleDrift !== '') {
      throw new Error(`Drift after both migrations:\n${hostDrift}\n${moduleDrift}`);
    }
    console.log("No drift: public matches the host's schema, service_platform the module's.");

    // 4. The example's own end-to-end tests.
    run('npm', ['test'], {
      cwd: example,
      env: {
        ...process.env,
        DATABASE_URL: url,
        ENCRYPTION_KEYS: `example-1:${randomBytes(32).toString('base64')}`,
        REDIS_URL: '',
        NODE_ENV: 'test',
      },
    });
  } finally {
    if (process.env.KEEP_TEST_DATABASE !== '1') await dropDatabase({ name });
    fs.rmSync(path.dirname(example), { recursive: true, force: true });
  }
}

main().then(
  () => console.log('Host app example: OK'),
  (error) => {
    console.error(`Host app example failed: ${error.message}`);
    process.exitCode = 1;
  },
);
