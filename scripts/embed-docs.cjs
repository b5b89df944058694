#!/usr/bin/env node
// Keeps the code blocks of the docs that show a file of the repository equal to it:
//   <!-- embed: examples/host-app/src/app.module.ts -->
//   ```ts
//   ...the file, exactly...
//   ```
// `node scripts/embed-docs.cjs` rewrites them from the files; `--check` only reports (exit 1 when
// one differs). A unit test runs the check, so the docs cannot rot.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const DOCS = ['README.md', 'docs/embedding.md'];
const BLOCK = /(<!-- embed: ([^\s]+) -->\n\n?```[a-z]*\n)([\s\S]*?)(```)/g;

/** `[{ doc, file, matches }]` for every embedded block; rewrites the docs unless `check`. */
function embedDocs({ check }) {
  const results = [];
  for (const doc of DOCS) {
    const docPath = path.join(root, doc);
    const text = fs.readFileSync(docPath, 'utf8');
    const updated = text.replace(BLOCK, (_all, head, file, body, fence) => {
      const source = fs.readFileSync(path.join(root, file), 'utf8');
      const wanted = source.endsWith('\n') ? source : `${source}\n`;
      results.push({ doc, file, matches: body === wanted });
      return `${head}${wanted}${fence}`;
    });
    if (!check && updated !== text) fs.writeFileSync(docPath, updated);
  }
  return results;
}

module.exports = { embedDocs };

if (require.main === module) {
  const check = process.argv.includes('--check');
  const results = embedDocs({ check });
  const stale = results.filter((result) => !result.matches);
  for (const result of results) {
    console.log(
      `${result.matches ? 'ok     ' : check ? 'STALE  ' : 'updated'} ${result.doc} ← ${result.file}`,
    );
  }
  if (check && stale.length > 0) process.exitCode = 1;
}
