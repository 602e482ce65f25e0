// Runs before `npm ci`, `npm start`, `npm test` and `npm run build` (package.json pre-scripts), on
// whatever Node the newcomer has: plain CommonJS that every Node parses, so that an old Node gets
// one line saying what to do instead of a stack trace from the TypeScript it cannot run.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS, so that every Node parses it */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
// The one minimum: package.json's engines field (">=22.18", the first Node that runs the
// TypeScript of scripts/ without a flag); .nvmrc names the version bootstrap installs.
const range = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines.node;
const [wantMajor, wantMinor] = range
  .replace(/^>=\s*/, '')
  .split('.')
  .map(Number);
const [major, minor] = process.versions.node.split('.').map(Number);

if (major < wantMajor || (major === wantMajor && minor < wantMinor)) {
  const pinned = readFileSync(join(root, '.nvmrc'), 'utf8').trim();
  process.stderr.write(
    `Node ${process.versions.node} (${process.execPath}) is too old for this project: it needs Node ${range} ` +
      `(Node ${pinned}, see .nvmrc). Run \`source scripts/bootstrap.sh\`, which installs it into .tools/node and puts it on PATH.\n`,
  );
  process.exit(1);
}
