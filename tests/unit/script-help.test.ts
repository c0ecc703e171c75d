// Every script behind `npm run` answers --help with its usage and an unknown flag with one line, never a stack trace.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../scripts/repo-root.js';

/** The entry points of scripts/odx.mjs's COMMANDS this covers (stack and odx have their own parsers). */
const ENTRIES: Record<string, string> = {
  test: 'scripts/test.ts',
  'compose:check': 'scripts/compose-check.ts',
  'compose:dry-run': 'scripts/compose/dry-run.ts',
  'image:layout': 'scripts/image/layout.ts',
  'schemas:gen': 'schemas/tools/gen-types.ts',
  'schemas:register': 'schemas/tools/register.ts',
  'schemas:check': 'schemas/tools/check.ts',
  'bench:runtime': 'scripts/bench/runtime.ts',
  'bench:odoo': 'scripts/bench/odoo.ts',
  'bench:fulfillment': 'scripts/bench/fulfillment.ts',
  'bench:edi': 'scripts/bench/edi.ts',
  'bench:replay': 'scripts/bench/replay.ts',
  'bench:sink': 'scripts/bench/sink.ts',
  'bench:store': 'scripts/bench/store.ts',
  'sim:odoo': 'infra/simulators/odoo/src/main.ts',
  'sim:odoo:load': 'infra/simulators/odoo/src/load.ts',
  'sim:wms': 'infra/simulators/wms/src/main.ts',
  'sim:tms': 'infra/simulators/tms/src/main.ts',
  start: 'scripts/start.ts',
  'soak:restarts': 'scripts/soak/restarts.ts',
  'soak:outage': 'scripts/soak/outage.ts',
  'bench:orchestrator': 'scripts/bench/orchestrator.ts',
  chaos: 'scripts/chaos/chaos.ts',
  'bench:start-memory': 'scripts/bench/start-memory.ts',
  'bench:all': 'scripts/bench/all.ts',
};

async function run(entry: string, arg: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, entry), arg], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const [status] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { status, stdout, stderr };
}

/** Both runs of every entry, started up front two at a time (each is a node process loading TypeScript). */
const queue = Object.values(ENTRIES).flatMap((entry) => ['--help', '--no-such-flag'].map((arg) => ({ entry, arg })));
const results = new Map<string, Promise<Awaited<ReturnType<typeof run>>>>();
const settle = new Map<string, (r: Awaited<ReturnType<typeof run>>) => void>();
for (const { entry, arg } of queue) results.set(`${entry} ${arg}`, new Promise((resolve) => settle.set(`${entry} ${arg}`, resolve)));
const worker = async (): Promise<void> => {
  for (let job = queue.shift(); job; job = queue.shift()) settle.get(`${job.entry} ${job.arg}`)!(await run(job.entry, job.arg));
};
void Promise.all([worker(), worker()]);

for (const [command, entry] of Object.entries(ENTRIES)) {
  test(`npm run ${command} -- --help prints its usage; an unknown flag gets one line`, async () => {
    const help = await results.get(`${entry} --help`)!;
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^usage: /);
    const bad = await results.get(`${entry} --no-such-flag`)!;
    assert.equal(bad.status, 2, bad.stdout);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr, /--no-such-flag/);
  });
}
