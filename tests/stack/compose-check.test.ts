// `npm run compose:check` accepts our docker-compose.yml and rejects a broken
// copy with messages that name what is wrong.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const script = join(repoRoot, 'scripts', 'compose-check.ts');
const composeFile = join(repoRoot, 'docker-compose.yml');

function check(file: string, env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, ['--import', 'tsx', script, file], { cwd: repoRoot, encoding: 'utf8', env });
}

test('compose-check accepts the repo docker-compose.yml', () => {
  const result = check(composeFile);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /OK \(\d+ services/);
});

test('compose-check rejects a broken copy and names each problem', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'odx-compose-check-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const broken = readFileSync(composeFile, 'utf8')
    .replace('image: mongo:7', 'command: ["mongod"]') // no image, no build
    .replace('KAFKA_NUM_PARTITIONS: "3"', 'KAFKA_NUM_PARTITIONS: 3') // not a string
    .replace('"127.0.0.1:16686:16686"', '"127.0.0.1:16686:99999"') // port out of range
    .replace('\n  jaeger:\n    image:', '\n  jaeger:\n    depends_on: [elasticsearch]\n    image:'); // unknown service
  const file = join(dir, 'docker-compose.yml');
  writeFileSync(file, broken);

  // Structural check alone (no docker-compose on PATH), so the messages are ours.
  const result = check(file, { ...process.env, PATH: dirname(process.execPath) });
  assert.equal(result.status, 1, result.stdout);
  assert.match(result.stderr, /services\.mongo: needs "image" or "build"/);
  assert.match(result.stderr, /services\.kafka\.environment\.KAFKA_NUM_PARTITIONS: value must be a string/);
  assert.match(result.stderr, /services\.jaeger\.ports\[0\]: "127\.0\.0\.1:16686:99999"/);
  assert.match(result.stderr, /services\.jaeger\.depends_on: "elasticsearch" is not a service/);

  // With the full environment, docker-compose (when installed) runs too and still fails.
  assert.equal(check(file).status, 1);
});

test('compose-check fails on invalid YAML', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'odx-compose-check-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'docker-compose.yml');
  writeFileSync(file, 'services:\n  a:\n    image: x\n   bad-indent: [\n');
  const result = check(file);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /YAML:/);
});

test('a docker CLI without the compose plugin counts as no validator installed', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'odx-compose-check-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // What docker clients without the plugin answer to `docker compose -f <file> config -q`.
  for (const answer of [
    "unknown shorthand flag: 'f' in -f\nSee 'docker --help'.",
    "docker: 'compose' is not a docker command.\nSee 'docker --help'",
    'docker: unknown command: docker compose',
  ]) {
    const bin = mkdtempSync(join(dir, 'bin-'));
    const docker = join(bin, 'docker');
    writeFileSync(docker, `#!/bin/sh\nprintf '%s\\n' ${JSON.stringify(answer)} >&2\nexit 125\n`, { mode: 0o755 });
    // Only that docker on PATH: a docker-compose elsewhere (CI installs Debian's) would be a validator.
    const result = check(composeFile, { ...process.env, PATH: bin });
    assert.equal(result.status, 0, `${answer}: ${result.stderr}`);
    assert.match(result.stdout, /checked structure \(no docker-compose installed\)/);
  }
});
