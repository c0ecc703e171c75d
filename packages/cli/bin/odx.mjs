#!/usr/bin/env node
// `odx` bin: runs the TypeScript CLI through tsx (installed with the workspace).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const res = spawnSync(process.execPath, ['--import', 'tsx', join(here, '..', 'src', 'main.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: process.env,
});
process.exit(res.status ?? 1);
