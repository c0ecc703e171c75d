// Runs after every other test file of `npm test` (scripts/test.ts puts it
// last): the local stack the suite started is still the same processes, and
// each answers. A part that died mid-suite fails many unrelated tests with
// "connection refused"; this names the part and shows the end of its log,
// which CI keeps nowhere else.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { stackStatus, type PartName } from '../../scripts/stack/index.js';
import { lastLines } from '../../scripts/stack/tools.js';

/** `kafka=123,registry=456,...`: the pids `npm test` saw when it brought the stack up. */
function pidsAtStart(): Map<string, number> {
  const raw = process.env['ODX_TEST_STACK_PIDS'] ?? '';
  const pairs = raw
    .split(',')
    .map((p) => p.split('='))
    .filter((p): p is [string, string] => p.length === 2 && /^\d+$/.test(p[1] ?? ''));
  return new Map(pairs.map(([part, pid]) => [part, Number(pid)]));
}

/** The log's last warnings and errors (what says why a server stopped), then its last lines. */
function logEvidence(file: string): string {
  const text = readFileSync(file, 'utf8');
  const alarms = text.split('\n').filter((l) => /\b(WARN|ERROR|FATAL)\b|Exception|OutOfMemory|panic/.test(l));
  return `\n  its last warnings and errors (${file}):\n${alarms.slice(-20).join('\n')}\n  its log ends:\n${lastLines(file, 10)}`;
}

test('the local stack outlived the suite: each part is the process it was at the start, and answers', async (t) => {
  const atStart = pidsAtStart();
  if (atStart.size === 0) return t.skip('run by npm test only (ODX_TEST_STACK_PIDS names the stack it started)');
  const status = await stackStatus({ parts: [...atStart.keys()] as PartName[] });
  const problems = status.flatMap((s) => {
    const was = atStart.get(s.part);
    const wrong =
      s.state === 'external'
        ? s.healthy
          ? undefined
          : `does not answer: ${s.detail}`
        : s.pid !== was
          ? `was pid ${was} at the start, is ${s.pid ?? 'not running'} now (${s.detail})`
          : !s.healthy
            ? `pid ${s.pid} does not answer: ${s.detail}`
            : undefined;
    if (!wrong) return [];
    const log = s.logFile && existsSync(s.logFile) ? logEvidence(s.logFile) : '';
    return [`${s.part} ${wrong}${log}`];
  });
  assert.deepEqual(problems, [], problems.join('\n\n'));
});
