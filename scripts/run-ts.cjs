#!/usr/bin/env node
// Runs a TypeScript bench script without a build step: `node scripts/run-ts.cjs bench/x.bench.ts`.
// Our .ts files are compiled to CommonJS on load by @swc/core (the compiler the tests use);
// packages load as they are (Nest's ES modules through Node's require(esm), Node >= 20.19).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

// The same compiler options as the tests (.swcrc).
const SWC = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.swcrc'), 'utf8'));
delete SWC.$schema;

Module._extensions['.ts'] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = transformSync(source, { ...SWC, filename });
  module._compile(code, filename);
};

// The generated Prisma client imports its siblings as `./x.js` (ESM style): resolve those to the
// `.ts` source when no `.js` file exists, as the tests' moduleNameMapper does.
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveTypeScript(request, parent, ...rest) {
  try {
    return resolveFilename.call(this, request, parent, ...rest);
  } catch (error) {
    if (!/^\.{1,2}\/.*\.js$/.test(request)) throw error;
    return resolveFilename.call(this, request.replace(/\.js$/, '.ts'), parent, ...rest);
  }
};

const script = process.argv[2];
if (script === undefined) {
  console.error('usage: node scripts/run-ts.cjs <script.ts> [args...]');
  process.exit(2);
}
process.argv.splice(1, 1); // the script sees itself as argv[1]
require(path.resolve(script));
