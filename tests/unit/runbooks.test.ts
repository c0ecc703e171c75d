// The runbooks in docs/runbooks/ are read at 3 a.m. and typed as written: every alert, `odx` command and flag,
// `npm run` script and metric they name must exist. The CLI is checked against the program it builds, the alerts
// against infra/prometheus/alerts.yml, the scripts against package.json, the metrics against what the code exports.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Command, Option } from 'commander';
import { parse } from 'yaml';
import { buildProgram, CommandContext } from '@odx/cli';
import { createRuntimeMetrics } from '@odx/runtime';
import { REPO_ROOT } from '../../scripts/repo-root.js';

const RUNBOOK_DIR = join(REPO_ROOT, 'docs', 'runbooks');
const runbooks = readdirSync(RUNBOOK_DIR)
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((file) => ({ file, text: readFileSync(join(RUNBOOK_DIR, file), 'utf8') }));

/** Text outside fenced code blocks (inline code spans are read from it). */
const prose = (md: string): string => md.replace(/^```[^\n]*\n[\s\S]*?^```[ \t]*$/gm, '');
const inlineSpans = (md: string): string[] => [...prose(md).matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);

// ---- alerts ----------------------------------------------------------------------------------------------------

const alertRules = parse(readFileSync(join(REPO_ROOT, 'infra/prometheus/alerts.yml'), 'utf8')) as {
  groups: { rules: { alert?: string }[] }[];
};
const ALERTS = new Set(alertRules.groups.flatMap((g) => g.rules.map((r) => r.alert)).filter((a): a is string => !!a));

/** Alerts a runbook names: "alert `X`", "alerts `X` / `Y`", "alerts `X`, `Y` and `Z`" (names are identifiers). */
function alertsNamed(md: string): string[] {
  const names: string[] = [];
  for (const m of md.matchAll(/\b[Aa]lerts?\s+((?:`[A-Za-z][\w-]*`(?:\s*(?:,|\/|\band\b|\bor\b)\s*)*)+)/g))
    for (const span of m[1]!.matchAll(/`([^`\n]+)`/g)) names.push(span[1]!);
  return names;
}

// ---- odx commands ----------------------------------------------------------------------------------------------

/** Shell words from `s` up to the end of the command (a pipe, `;`, `&&`, `)`, a redirect, a comment, a backtick). */
function shellWords(s: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
      continue;
    }
    const atWordStart = !inWord;
    if (c === '\n' || c === '|' || c === ';' || c === '&' || c === ')' || c === '`') break;
    if (atWordStart && (c === '#' || c === '>')) break;
    if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    word += c;
    inWord = true;
  }
  if (inWord) words.push(word);
  return words;
}

/** Every `odx` invocation in a runbook, as the words after `odx`. */
function odxInvocations(md: string): string[][] {
  const joined = md.replace(/\\\n[ \t]*/g, ' ');
  const calls: string[][] = [];
  for (const m of joined.matchAll(/(?:\bnpx\s+odx|\bnpm\s+run(?:\s+-s)?\s+odx\s+--)(?=[\s`)]|$)/g))
    calls.push(shellWords(joined.slice(m.index + m[0].length)));
  for (const span of inlineSpans(joined)) if (/^odx\s/.test(span)) calls.push(shellWords(span.slice('odx'.length)));
  return calls;
}

const program = buildProgram(new CommandContext({ stdout: { write: () => true }, stderr: { write: () => true }, env: {} }));

/** What is wrong with `odx <words>` according to the program, or nothing. Placeholders (`<ref>`) pass as arguments. */
function odxProblems(words: readonly string[], root: Command = program): string[] {
  const problems: string[] = [];
  const chain: Command[] = [root];
  let cmd = root;
  const findOption = (flag: string): Option | undefined => {
    for (const c of [...chain].reverse()) {
      const o = c.options.find((opt) => opt.long === flag || opt.short === flag);
      if (o) return o;
    }
    return undefined;
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w.startsWith('-')) {
      const flag = w.split('=')[0]!;
      if (flag === '--help' || flag === '-h') continue;
      const o = findOption(flag);
      if (!o) {
        problems.push(
          `odx ${chain
            .slice(1)
            .map((c) => c.name())
            .join(' ')}: no flag ${flag}`.replace('odx :', 'odx:'),
        );
        continue;
      }
      if ((o.required || o.optional) && !w.includes('=')) {
        if (o.variadic) while (i + 1 < words.length && !words[i + 1]!.startsWith('-')) i++;
        else i++;
      }
      continue;
    }
    if (cmd.commands.length > 0) {
      const sub = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
      if (!sub) {
        problems.push(
          `odx ${chain
            .slice(1)
            .map((c) => `${c.name()} `)
            .join('')}${w}: no such command`,
        );
        break;
      }
      cmd = sub;
      chain.push(sub);
    }
    // else: an argument of a command without subcommands
  }
  return problems;
}

// ---- npm scripts -----------------------------------------------------------------------------------------------

const SCRIPTS = new Set(
  Object.keys((JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts),
);
const npmScriptsNamed = (md: string): string[] => [...md.matchAll(/\bnpm\s+run(?:\s+-s)?\s+([a-z][\w:.-]*)/g)].map((m) => m[1]!);

// ---- metrics ---------------------------------------------------------------------------------------------------

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'));
}

async function knownOdxNames(): Promise<{ metrics: Set<string>; literals: Set<string> }> {
  const metrics = new Set((await createRuntimeMetrics('check').registry.getMetricsAsJSON()).map((m) => m.name));
  const literals = new Set<string>();
  const dirs = [
    join(REPO_ROOT, 'packages', 'runtime', 'src'),
    ...readdirSync(join(REPO_ROOT, 'services')).map((s) => join(REPO_ROOT, 'services', s, 'src')),
  ];
  for (const text of dirs.flatMap(sourcesUnder)) {
    for (const m of text.matchAll(/name:\s*'(odx_[a-z0-9_]+)'/g)) metrics.add(m[1]!);
    for (const m of text.matchAll(/'(odx_[a-z0-9_]+)'/g)) literals.add(m[1]!);
  }
  return { metrics, literals };
}

/** `odx_...` names in inline code, with a label selector or not, without a histogram's suffix. */
const odxNamesNamed = (md: string): string[] =>
  inlineSpans(md)
    .map((s) => /^(odx_[a-z0-9_]+)(\{[^}]*\})?$/.exec(s)?.[1])
    .filter((n): n is string => !!n)
    .map((n) => n.replace(/_(bucket|sum|count)$/, ''));

// ---- tests -----------------------------------------------------------------------------------------------------

test('the runbooks are there: an index and one file per incident, each linked from the index', () => {
  const index = runbooks.find((r) => r.file === 'README.md');
  assert.ok(index, 'docs/runbooks/README.md');
  const pages = runbooks.filter((r) => r.file !== 'README.md');
  assert.ok(pages.length >= 6, `${pages.length} runbooks`);
  for (const r of pages) assert.ok(index.text.includes(`](${r.file})`), `README.md links ${r.file}`);
});

test('each runbook has Symptoms, Diagnosis, Recovery and Verify, and its symptoms name an alert', () => {
  for (const r of runbooks.filter((p) => p.file !== 'README.md')) {
    for (const section of ['Symptoms', 'Diagnosis', 'Recovery', 'Verify'])
      assert.match(r.text, new RegExp(`^## ${section}\\b`, 'm'), `${r.file}: ## ${section}`);
    const symptoms = /^## Symptoms\n([\s\S]*?)^## /m.exec(r.text)?.[1] ?? '';
    assert.ok(alertsNamed(symptoms).length > 0, `${r.file}: its Symptoms name no alert`);
  }
});

test('every alert a runbook names is a rule in infra/prometheus/alerts.yml', () => {
  assert.ok(ALERTS.size >= 5, `alerts.yml has ${ALERTS.size} alerts`);
  const unknown = runbooks.flatMap((r) =>
    alertsNamed(r.text)
      .filter((a) => !ALERTS.has(a))
      .map((a) => `${r.file}: ${a}`),
  );
  assert.deepEqual(unknown, [], `alerts not in alerts.yml:\n${unknown.join('\n')}`);
});

test('every odx command and flag a runbook names is defined by the CLI program', () => {
  let calls = 0;
  const problems: string[] = [];
  for (const r of runbooks) {
    for (const words of odxInvocations(r.text)) {
      calls++;
      for (const p of odxProblems(words)) problems.push(`${r.file}: ${p} (in: odx ${words.join(' ')})`);
    }
  }
  assert.ok(calls >= 30, `${calls} odx invocations found`);
  assert.deepEqual(problems, [], problems.join('\n'));
});

test('the odx check itself: it walks the program and refuses what the CLI would', () => {
  assert.deepEqual(odxProblems(['dlq', 'redrive', 'x.g.dlq', '--error-class', 'c', '--execute']), []);
  assert.deepEqual(odxProblems(['--json', 'dlq', 'show', 'x.g.dlq', '--limit', '1']), []);
  assert.deepEqual(odxProblems(['keys', 'create', 'a', '--scope', 'viewer', 'analytics-sink:viewer', '--note', 'n']), []);
  assert.equal(odxProblems(['dlq', 'drain', 'x.g.dlq']).length, 1);
  assert.equal(odxProblems(['groups', 'reset', 'g', '--to-yesterday']).length, 1);
  assert.equal(odxProblems(['nope']).length, 1);
  assert.deepEqual(shellWords(' token --role operator --subject "$USER" --ttl 8h) rest'), [
    'token',
    '--role',
    'operator',
    '--subject',
    '$USER',
    '--ttl',
    '8h',
  ]);
  assert.deepEqual(odxInvocations('run `npx odx cases list` or `odx order <ref>`; not odx_dlq_depth').length, 2);
});

test('every npm run script a runbook names is in package.json', () => {
  const unknown = runbooks.flatMap((r) =>
    npmScriptsNamed(r.text)
      .filter((s) => !SCRIPTS.has(s))
      .map((s) => `${r.file}: npm run ${s}`),
  );
  assert.deepEqual(unknown, [], unknown.join('\n'));
});

test('every odx_ metric a runbook names is exported by the runtime or a service', async () => {
  const { metrics, literals } = await knownOdxNames();
  // A collection name (odx_readiness, odx_service_keys) is a string the runtime defines; anything else must be a metric.
  const unknown = runbooks.flatMap((r) =>
    odxNamesNamed(r.text)
      .filter((n) => !metrics.has(n) && !literals.has(n))
      .map((n) => `${r.file}: ${n}`),
  );
  assert.deepEqual(unknown, [], `named but exported nowhere:\n${unknown.join('\n')}`);
});
