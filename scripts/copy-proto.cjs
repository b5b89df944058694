#!/usr/bin/env node
// Copies every .proto under src/ to the same place under dist/ (`postbuild`): tsc only emits
// JavaScript, and the built app loads src/service-platform/interface/grpc/service_platform.proto
// from next to its compiled code.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');

function protosUnder(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return protosUnder(full);
    return entry.isFile() && entry.name.endsWith('.proto') ? [full] : [];
  });
}

const copied = protosUnder(src).map((file) => {
  const target = path.join(dist, path.relative(src, file));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(file, target);
  return path.relative(root, target);
});
if (copied.length === 0) {
  console.error('copy-proto: no .proto file found under src/');
  process.exit(1);
}
console.log(`copy-proto: ${copied.join(', ')}`);
