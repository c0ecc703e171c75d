#!/usr/bin/env node
// `odx` bin: runs the TypeScript CLI through tsx. tsx is resolved from this
// package (not from the current directory), so `npx odx` works from any folder.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tsx = import.meta.resolve('tsx');
const res = spawnSync(process.execPath, ['--import', tsx, join(here, '..', 'src', 'main.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: process.env,
});
if (res.error) {
  console.error(`odx: could not start: ${res.error.message}`);
  process.exit(1);
}
// A signal-killed child has no status: report it the shell way (128 + signal number is not portable; 1 is).
process.exit(res.status ?? 1);
