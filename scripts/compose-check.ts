// `npm run compose:check [file]`: validates docker-compose.yml without a
// Docker engine. Always runs a structural check (YAML, services, ports,
// depends_on, env, healthchecks, volumes) and a semantic one
// (scripts/compose/semantic-check.ts: each ODX service's own config loader
// against the environment compose gives it, its folders on volumes, no known
// development secret outside a dev profile); also runs `docker-compose config -q`
// (or `docker compose config -q`) when one is installed. Variables are
// interpolated from this process's environment, as compose does; a required
// `${VAR:?message}` nobody set gets a placeholder (listed in the report). Exit
// code 1 and one line per problem on failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseCliArgs } from '@odx/runtime/cli';
import { parseDocument } from 'yaml';
import { placeholderFor } from './compose/interpolate.js';
import { requiredVariables, semanticProblems } from './compose/semantic-check.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const TOP_LEVEL_KEYS = new Set(['version', 'name', 'services', 'networks', 'volumes', 'configs', 'secrets', 'include']);
const CONDITIONS = new Set(['service_started', 'service_healthy', 'service_completed_successfully']);
const DURATION = /^(\d+(\.\d+)?(us|ms|s|m|h))+$/;
// [HOST_IP:][HOST_PORT[-END]:]CONTAINER_PORT[-END][/PROTOCOL]
const PORT =
  /^(?:(?<ip>\[[0-9a-fA-F:]+\]|\d{1,3}(?:\.\d{1,3}){3}):)?(?:(?<host>\d+(?:-\d+)?)?:)?(?<container>\d+(?:-\d+)?)(?:\/(?:tcp|udp|sctp))?$/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Mapping = { [key: string]: Json };

function isMapping(value: Json | undefined): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Result of checking one compose file. */
export interface ComposeCheckResult {
  file: string;
  problems: string[];
  services: number;
  /** Which external validator ran, if any. */
  validator: string | undefined;
  /** Required variables the environment did not set: placeholders stood in for them. */
  placeholders: string[];
}

function portsInRange(spec: string): boolean {
  return spec.split('-').every((p) => Number(p) >= 1 && Number(p) <= 65535);
}

function checkPorts(where: string, ports: Json, problems: string[], hostPorts: Map<string, string>): void {
  if (!Array.isArray(ports)) {
    problems.push(`${where}: must be a list`);
    return;
  }
  ports.forEach((entry, i) => {
    const at = `${where}[${i}]`;
    if (typeof entry === 'number') {
      if (!Number.isInteger(entry) || !portsInRange(String(entry))) problems.push(`${at}: ${entry} is not a port`);
      return;
    }
    if (isMapping(entry)) {
      const target = entry.target;
      if (typeof target !== 'number' || !portsInRange(String(target))) problems.push(`${at}: long syntax needs a numeric "target" port`);
      return;
    }
    if (typeof entry !== 'string') {
      problems.push(`${at}: must be a string like "127.0.0.1:8080:80", got ${JSON.stringify(entry)}`);
      return;
    }
    const match = PORT.exec(entry);
    const groups = match?.groups;
    if (!groups?.container || !portsInRange(groups.container) || (groups.host !== undefined && !portsInRange(groups.host))) {
      problems.push(`${at}: "${entry}" is not [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL] with ports 1-65535`);
      return;
    }
    if (groups.host) {
      const key = `${groups.ip ?? '0.0.0.0'}:${groups.host}`;
      const other = hostPorts.get(key);
      if (other) problems.push(`${at}: host port ${key} is already published by ${other}`);
      else hostPorts.set(key, at);
    }
  });
}

function checkEnvironment(where: string, env: Json, problems: string[]): void {
  if (Array.isArray(env)) {
    env.forEach((entry, i) => {
      if (typeof entry !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.]*(=.*)?$/.test(entry)) {
        problems.push(`${where}[${i}]: must be "KEY=value", got ${JSON.stringify(entry)}`);
      }
    });
    return;
  }
  if (!isMapping(env)) {
    problems.push(`${where}: must be a mapping or a list of KEY=value`);
    return;
  }
  for (const [key, value] of Object.entries(env)) {
    // null passes the host's value through; anything else must be a quoted string.
    if (value !== null && typeof value !== 'string') {
      problems.push(`${where}.${key}: value must be a string (quote it: "${String(value)}"), got ${typeof value}`);
    }
  }
}

function checkHealthcheck(where: string, hc: Json, problems: string[]): void {
  if (!isMapping(hc)) {
    problems.push(`${where}: must be a mapping`);
    return;
  }
  if (hc.disable === true) return;
  const test = hc.test;
  if (typeof test === 'string') {
    if (test.trim() === '') problems.push(`${where}.test: is empty`);
  } else if (Array.isArray(test)) {
    const [kind, ...rest] = test;
    if (kind !== 'NONE' && kind !== 'CMD' && kind !== 'CMD-SHELL') {
      problems.push(`${where}.test: a list must start with "CMD", "CMD-SHELL" or "NONE", got ${JSON.stringify(kind)}`);
    } else if (kind !== 'NONE' && (rest.length === 0 || !rest.every((a) => typeof a === 'string'))) {
      problems.push(`${where}.test: needs a command of strings after "${kind}"`);
    }
  } else {
    problems.push(`${where}.test: required (string or ["CMD", ...] list)`);
  }
  for (const key of ['interval', 'timeout', 'start_period', 'start_interval']) {
    const value = hc[key];
    if (value !== undefined && (typeof value !== 'string' || !DURATION.test(value))) {
      problems.push(`${where}.${key}: must be a duration like "10s" or "1m30s", got ${JSON.stringify(value)}`);
    }
  }
  if (hc.retries !== undefined && (typeof hc.retries !== 'number' || !Number.isInteger(hc.retries) || hc.retries < 1)) {
    problems.push(`${where}.retries: must be a positive integer`);
  }
}

function isNamedVolume(source: string): boolean {
  return !source.startsWith('/') && !source.startsWith('.') && !source.startsWith('~') && !source.includes('/') && !source.startsWith('$');
}

function checkService(
  name: string,
  svc: Json,
  ctx: { file: string; services: Mapping; volumes: Mapping; networks: Mapping; hostPorts: Map<string, string> },
  problems: string[],
): void {
  const at = `services.${name}`;
  if (!isMapping(svc)) {
    problems.push(`${at}: must be a mapping`);
    return;
  }
  if (svc.image === undefined && svc.build === undefined) problems.push(`${at}: needs "image" or "build"`);
  if (svc.image !== undefined && (typeof svc.image !== 'string' || svc.image.trim() === ''))
    problems.push(`${at}.image: must be a non-empty string`);
  if (
    typeof svc.image === 'string' &&
    !svc.image.includes('${') &&
    !/^[a-z0-9][a-z0-9._/-]*(:[\w][\w.-]{0,127})?(@sha256:[0-9a-f]{64})?$/.test(svc.image)
  ) {
    problems.push(`${at}.image: "${svc.image}" is not a valid image reference`);
  }
  if (svc.build !== undefined) {
    const build = svc.build;
    const context = typeof build === 'string' ? build : isMapping(build) ? build.context : undefined;
    if (typeof context !== 'string') {
      problems.push(`${at}.build: must be a path or a mapping with "context"`);
    } else {
      const contextDir = isAbsolute(context) ? context : resolve(dirname(ctx.file), context);
      if (!existsSync(contextDir)) problems.push(`${at}.build.context: ${contextDir} does not exist`);
      const dockerfile = isMapping(build) ? build.dockerfile : undefined;
      if (dockerfile !== undefined) {
        if (typeof dockerfile !== 'string') problems.push(`${at}.build.dockerfile: must be a string`);
        else if (!existsSync(resolve(contextDir, dockerfile)))
          problems.push(`${at}.build.dockerfile: ${resolve(contextDir, dockerfile)} does not exist`);
      }
      const args = isMapping(build) ? build.args : undefined;
      if (args !== undefined) checkEnvironment(`${at}.build.args`, args, problems);
    }
  }
  if (svc.ports !== undefined) checkPorts(`${at}.ports`, svc.ports, problems, ctx.hostPorts);
  if (svc.environment !== undefined) checkEnvironment(`${at}.environment`, svc.environment, problems);
  if (svc.healthcheck !== undefined) checkHealthcheck(`${at}.healthcheck`, svc.healthcheck, problems);

  const deps = svc.depends_on;
  if (deps !== undefined) {
    const entries: [string, Json][] = Array.isArray(deps)
      ? deps.map((d): [string, Json] => [typeof d === 'string' ? d : JSON.stringify(d), null])
      : isMapping(deps)
        ? Object.entries(deps)
        : [];
    if (!Array.isArray(deps) && !isMapping(deps)) problems.push(`${at}.depends_on: must be a list or a mapping`);
    for (const [target, spec] of entries) {
      const targetSvc = ctx.services[target];
      if (targetSvc === undefined) {
        problems.push(`${at}.depends_on: "${target}" is not a service in this file`);
        continue;
      }
      if (target === name) problems.push(`${at}.depends_on: a service cannot depend on itself`);
      if (isMapping(spec)) {
        const condition = spec.condition;
        if (condition !== undefined && (typeof condition !== 'string' || !CONDITIONS.has(condition))) {
          problems.push(`${at}.depends_on.${target}.condition: must be one of ${[...CONDITIONS].join(', ')}`);
        }
        if (condition === 'service_healthy' && !(isMapping(targetSvc) && isMapping(targetSvc.healthcheck))) {
          problems.push(`${at}.depends_on.${target}: condition service_healthy, but "${target}" has no healthcheck`);
        }
      }
    }
  }

  if (svc.volumes !== undefined) {
    if (!Array.isArray(svc.volumes)) problems.push(`${at}.volumes: must be a list`);
    else {
      svc.volumes.forEach((v, i) => {
        const source = typeof v === 'string' ? v.split(':')[0] : isMapping(v) && v.type === 'volume' ? v.source : undefined;
        if (typeof v === 'string' && v.split(':').length < 2 && !v.startsWith('/')) {
          problems.push(`${at}.volumes[${i}]: "${v}" needs SOURCE:TARGET`);
        }
        if (typeof source === 'string' && isNamedVolume(source) && !(source in ctx.volumes)) {
          problems.push(`${at}.volumes[${i}]: named volume "${source}" is not declared under top-level "volumes"`);
        }
      });
    }
  }

  if (svc.networks !== undefined) {
    const names = Array.isArray(svc.networks) ? svc.networks : isMapping(svc.networks) ? Object.keys(svc.networks) : [];
    for (const network of names) {
      if (typeof network === 'string' && network !== 'default' && !(network in ctx.networks)) {
        problems.push(`${at}.networks: "${network}" is not declared under top-level "networks"`);
      }
    }
  }
}

/** Structural check of a compose file already parsed to plain data. */
function checkStructure(file: string, root: Json, problems: string[]): number {
  if (!isMapping(root)) {
    problems.push('the file must be a YAML mapping with a "services" key');
    return 0;
  }
  for (const key of Object.keys(root)) {
    if (!TOP_LEVEL_KEYS.has(key) && !key.startsWith('x-'))
      problems.push(`top-level key "${key}" is not a compose key (extensions must start with "x-")`);
  }
  const services = root.services;
  if (!isMapping(services) || Object.keys(services).length === 0) {
    problems.push('"services" must be a non-empty mapping');
    return 0;
  }
  const ctx = {
    file,
    services,
    volumes: isMapping(root.volumes) ? root.volumes : {},
    networks: isMapping(root.networks) ? root.networks : {},
    hostPorts: new Map<string, string>(),
  };
  for (const [name, svc] of Object.entries(services)) {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) problems.push(`services.${name}: invalid service name`);
    checkService(name, svc, ctx, problems);
  }
  return Object.keys(services).length;
}

/** Runs docker-compose (v1) or `docker compose` (v2) `config -q` when installed. */
function runComposeConfig(file: string, env: NodeJS.ProcessEnv): { validator: string; problem: string | undefined } | undefined {
  const candidates: [string, string[]][] = [
    ['docker-compose', ['-f', file, 'config', '-q']],
    ['docker', ['compose', '-f', file, 'config', '-q']],
  ];
  for (const [command, args] of candidates) {
    const result = spawnSync(command, args, { encoding: 'utf8', cwd: dirname(file), env });
    if (result.error) continue; // not installed
    // A docker client without the compose plugin answers in several ways ("is not a docker command",
    // "unknown command", or "unknown shorthand flag: 'f'" when it takes `compose -f` for its own flags).
    if (command === 'docker' && /is not a docker command|unknown command|unknown shorthand flag/i.test(result.stderr)) continue;
    const validator = `${command} ${args.filter((a) => a !== '-f' && a !== file).join(' ')}`;
    if (result.status === 0) return { validator, problem: undefined };
    const output = (result.stderr || result.stdout)
      .trim()
      .split('\n')
      .map((line) => `      ${line}`)
      .join('\n');
    return { validator, problem: `${validator} failed:\n${output}` };
  }
  return undefined;
}

/** Checks a compose file; never throws for content problems. */
export function checkComposeFile(path: string, env: NodeJS.ProcessEnv = process.env): ComposeCheckResult {
  const file = resolve(path);
  const problems: string[] = [];
  const none = { services: 0, validator: undefined, placeholders: [] };
  if (!existsSync(file)) return { file, problems: [`${file} does not exist`], ...none };
  const doc = parseDocument(readFileSync(file, 'utf8'), { merge: true, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    return { file, problems: doc.errors.map((e) => `YAML: ${e.message}`), ...none };
  }
  const root = doc.toJS({ maxAliasCount: 1000 }) as Json;
  const services = checkStructure(file, root, problems);
  if (services > 0) problems.push(...semanticProblems(root, env));
  // docker-compose refuses a file whose required variables are unset: it checks with the same placeholders.
  const placeholders = [...requiredVariables(root, env).keys()].sort();
  const external = runComposeConfig(file, { ...env, ...Object.fromEntries(placeholders.map((name) => [name, placeholderFor(name)])) });
  if (external?.problem) problems.push(external.problem);
  return { file, problems, services, validator: external?.validator, placeholders };
}

function main(): number {
  const { positionals } = parseCliArgs('compose:check', 'validates docker-compose.yml (or the file given) without a Docker engine', {
    options: {},
    allowPositionals: true,
  });
  const path = positionals[0] ?? join(repoRoot, 'docker-compose.yml');
  const result = checkComposeFile(path);
  if (result.problems.length > 0) {
    process.stderr.write(`compose-check: ${result.file} has ${result.problems.length} problem(s):\n`);
    for (const problem of result.problems) process.stderr.write(`  - ${problem}\n`);
    return 1;
  }
  const how = result.validator ? `structure and ${result.validator}` : 'structure (no docker-compose installed)';
  process.stdout.write(`compose-check: ${result.file} OK (${result.services} services, each ODX service's own config; checked ${how})\n`);
  if (result.placeholders.length > 0)
    process.stdout.write(`  required variables not set here (checked with placeholders): ${result.placeholders.join(', ')}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main();
}
