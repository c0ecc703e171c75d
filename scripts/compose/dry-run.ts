// `npm run compose:dry-run`: docker-compose.yml without a container engine. Every compose service built from
// infra/docker/service.Dockerfile (the nine ODX services and, in the demo profile, the three simulators) runs
// as a local process with the environment compose gives it, mapped to this machine: container hostnames to
// the running local stack (kafka:19092 -> its broker, registry:8080 -> its registry, mongo:27017 -> its MongoDB)
// and to the other processes (wms-bridge:8080 -> 127.0.0.1:<its port>), each service on a free port of its own,
// volume paths to folders (named volumes: a temporary folder; bind mounts: their source). It waits until every
// /readyz (the simulators: their health route) is green, printing progress, then stops them all.
//
// The processes run the TypeScript entries through tsx (as `npm start` does), not the compiled dist/ of the
// image: what the dry run proves is the environment, the ports and the start order, against real Kafka,
// registry and MongoDB. With --layout <dir> they run the compiled image contents `npm run image:layout`
// wrote there instead (dist/ JS and production node_modules only). Jaeger is not part of the local stack: OTEL_EXPORTER_OTLP_ENDPOINT is dropped.
// Required variables (${VAR:?}) get generated values: random secrets, and the simulators for ODOO_URL,
// WMS_URL and TMS_URL. The run is isolated like the system tests (topic prefix, database, consumer groups,
// each service its own Kafka user and the catalog's ACLs on a SASL stack) and removes all of it at the end.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseCliArgs } from '@odx/runtime/cli';
import { freePort } from '@odx/runtime/testing';
import { parse } from 'yaml';
import { isolationEnv, provisionSystem, stackEnvOf, systemScope, type SystemScope } from '../demo/system-isolation.js';
import { ProcessSupervisor, type ProcessSpec } from '../demo/supervisor.js';
import { imageTargets, type ImageTarget } from '../image/layout.js';
import { REPO_ROOT } from '../repo-root.js';
import { serviceKafkaEnv } from '../stack/kafka-users.js';
import { composeEnvironment, requiredVariables } from './semantic-check.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Mapping = { [key: string]: Json };
const isMapping = (value: Json | undefined): value is Mapping => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Values for the variables the demo profile's .env would hold (docs/deployment.md shows the same). */
function demoVariable(name: string): string | undefined {
  const fixed: Record<string, string> = {
    ODOO_URL: 'http://sim-odoo:8069',
    WMS_URL: 'http://sim-wms:8070',
    TMS_URL: 'http://sim-tms:8071',
    ODOO_DB: 'odx',
    ODOO_USERNAME: 'odx-integration',
  };
  if (fixed[name]) return fixed[name];
  if (/WEBHOOK_SECRET$/.test(name)) return `whsec_${randomBytes(32).toString('base64')}`;
  if (/_URL$/.test(name)) return undefined;
  return randomBytes(24).toString('hex');
}

/** One compose service as the dry run starts it. */
export interface DryRunProcess {
  service: string;
  target: ImageTarget;
  port: number;
  spec: ProcessSpec;
  dependsOn: string[];
}

export interface DryRunPlan {
  processes: DryRunProcess[];
  scope: SystemScope;
  dataDir: string;
  /** How the compose environment was changed to run here, one line each. */
  notes: string[];
}

export interface DryRunOptions {
  composeFile?: string;
  /** The stack's addresses and admin login. @default stackEnvOf(process.env) */
  stackEnv?: Record<string, string>;
  /** Compose profiles to include. @default ['demo'] (the services need an Odoo, a WMS and a TMS) */
  profiles?: string[];
  /** Progress lines. @default console.log */
  log?: (line: string) => void;
  /** Per process. @default 120000 */
  readyTimeoutMs?: number;
  /**
   * Run the compiled image contents laid out by `npm run image:layout` in this folder (`<dir>/<target>/...`,
   * with production dependencies only) instead of the TypeScript entries.
   */
  layoutDir?: string;
}

/** The container port a compose service publishes first ("127.0.0.1:8101:8080" -> 8080). */
function containerPort(svc: Mapping): number | undefined {
  const first = Array.isArray(svc.ports) ? svc.ports[0] : undefined;
  if (typeof first === 'string') return Number(first.split('/')[0]!.split(':').at(-1));
  if (isMapping(first) && typeof first.target === 'number') return first.target;
  return undefined;
}

function hostPort(url: string): string {
  return new URL(url.replace(/^mongodb(\+srv)?:/, 'http:')).host;
}

/** Reads the compose file and decides each process's environment; starts nothing. */
export async function planDryRun(options: DryRunOptions = {}): Promise<DryRunPlan> {
  const file = resolve(options.composeFile ?? join(REPO_ROOT, 'docker-compose.yml'));
  const composeDir = dirname(file);
  const root = parse(readFileSync(file, 'utf8'), { merge: true, maxAliasCount: 1000 }) as Json;
  if (!isMapping(root) || !isMapping(root.services)) throw new Error(`${file}: no services`);
  const stackEnv = options.stackEnv ?? stackEnvOf();
  const profiles = new Set(options.profiles ?? ['demo']);
  const targets = new Map(imageTargets().map((t) => [t.name, t]));
  const id = randomUUID().slice(0, 8);
  const scope = systemScope(id, `test.compose-${id}.`);
  const dataDir = mkdtempSync(join(tmpdir(), `odx-compose-dry-run-${scope.id}-`));
  const notes: string[] = [];

  // The variables compose would interpolate from: only what the file requires, generated.
  const variables: Record<string, string> = {};
  for (const name of requiredVariables(root, {}).keys()) {
    const value = demoVariable(name);
    if (value === undefined) throw new Error(`${name} is required and the dry run knows no value for it`);
    variables[name] = value;
  }
  notes.push(`required variables given generated values: ${Object.keys(variables).sort().join(', ')}`);

  const selected = Object.entries(root.services).filter(([, svc]) => {
    if (!isMapping(svc) || !isMapping(svc.build) || !isMapping(svc.build.args) || typeof svc.build.args.SERVICE !== 'string') return false;
    const own = Array.isArray(svc.profiles) ? svc.profiles.map(String) : [];
    return own.length === 0 || own.some((p) => profiles.has(p));
  }) as [string, Mapping][];

  // Container address -> address on this machine.
  const addresses = new Map<string, string>([
    ['kafka:19092', stackEnv['ODX_KAFKA_BROKERS'] ?? '127.0.0.1:9092'],
    ['registry:8080', hostPort(stackEnv['ODX_SCHEMA_REGISTRY_URL'] ?? 'http://127.0.0.1:8081')],
    ['mongo:27017', hostPort(stackEnv['ODX_MONGO_URL'] ?? 'mongodb://127.0.0.1:27017/')],
  ]);
  const ports = new Map<string, { inside: number; here: number }>();
  for (const [name, svc] of selected) {
    const inside = containerPort(svc);
    if (inside === undefined) throw new Error(`services.${name}: publishes no port, so the dry run cannot tell where it listens`);
    const here = await freePort();
    ports.set(name, { inside, here });
    addresses.set(`${name}:${inside}`, `127.0.0.1:${here}`);
    // Inside its own container the process reaches itself on loopback (the simulators' health URL).
    addresses.set(`${name}@127.0.0.1:${inside}`, `127.0.0.1:${here}`);
  }
  notes.push(
    `addresses: ${[...addresses]
      .filter(([k]) => !k.includes('@'))
      .map(([k, v]) => `${k} -> ${v}`)
      .join(', ')}`,
    'OTEL_EXPORTER_OTLP_ENDPOINT dropped (no Jaeger in the local stack)',
  );

  const processes = selected.map(([name, svc]): DryRunProcess => {
    const targetName = String((svc.build as Mapping & { args: Mapping }).args.SERVICE);
    const target = targets.get(targetName);
    if (!target) throw new Error(`services.${name}: SERVICE=${targetName} is no image target (${[...targets.keys()].join(', ')})`);
    const { inside, here } = ports.get(name)!;
    // Volume targets -> folders here: bind mounts their source, named volumes a folder of the run.
    const mounts = (Array.isArray(svc.volumes) ? svc.volumes : []).flatMap((v) => {
      if (typeof v !== 'string') return [];
      const [source = '', at = ''] = v.split(':');
      const local = source.startsWith('.') || isAbsolute(source) ? resolve(composeDir, source) : join(dataDir, 'volumes', source);
      if (!source.startsWith('.') && !isAbsolute(source)) mkdirSync(local, { recursive: true });
      return [{ at, local }];
    });
    const mapValue = (key: string, value: string): string => {
      let out = value;
      for (const [from, to] of addresses) {
        const [host, self] = from.includes('@') ? [from.split('@')[1]!, from.split('@')[0]] : [from, undefined];
        if (self !== undefined && self !== name) continue;
        out = out.split(host).join(to);
      }
      for (const { at, local } of mounts) if (out === at || out.startsWith(`${at}/`)) out = local + out.slice(at.length);
      // The image's /app is the repository here (the layout keeps repository paths).
      if (out === '/app' || out.startsWith('/app/')) out = REPO_ROOT + out.slice('/app'.length);
      if (/_HOST$/.test(key) && out === '0.0.0.0') out = '127.0.0.1';
      if (/_PORT$/.test(key) && out === String(inside)) out = String(here);
      return out;
    };
    const composeEnv = composeEnvironment(svc.environment, variables).env;
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(composeEnv)) {
      if (key === 'OTEL_EXPORTER_OTLP_ENDPOINT') continue;
      env[key] = mapValue(key, value);
    }
    const simulator = targetName.startsWith('sim-');
    const readyUrl = simulator ? (env['ODX_HEALTHCHECK_URL'] ?? `http://127.0.0.1:${here}/`) : `http://127.0.0.1:${here}/readyz`;
    // The supervisor runs entries relative to the repository (through tsx, which leaves compiled JS as it is).
    const entry = options.layoutDir ? relative(REPO_ROOT, join(resolve(options.layoutDir), target.name, target.entryJs)) : target.entryTs;
    if (options.layoutDir) {
      if (!existsSync(join(REPO_ROOT, entry)))
        throw new Error(`${entry} does not exist: run npm run image:layout -- --out ${options.layoutDir}`);
      env['NODE_ENV'] = 'production'; // as the image's ENV sets it
    }
    const spec: ProcessSpec = {
      name,
      entry,
      env: simulator
        ? env
        : {
            ...env,
            // Its own Kafka user on a SASL stack (the compose Kafka is plaintext), then this run's isolation.
            ...serviceKafkaEnv(stackEnv, targetName),
            ...isolationEnv(scope, targetName),
            ODX_LOG_LEVEL: env['ODX_LOG_LEVEL'] ?? 'warn',
          },
      readyUrl,
    };
    const deps = svc.depends_on;
    const dependsOn = (Array.isArray(deps) ? deps.map(String) : isMapping(deps) ? Object.keys(deps) : []).filter((d) =>
      selected.some(([n]) => n === d),
    );
    return { service: name, target, port: here, spec, dependsOn };
  });
  return { processes, scope, dataDir, notes };
}

export interface DryRunResult {
  /** Per process: ms from the run's start until it was ready. */
  ready: { service: string; ms: number; url: string }[];
  totalMs: number;
}

/**
 * Starts every process of the plan in dependency order (simulators first), waits for each readiness URL, then
 * stops them and removes the run's topics, groups, ACLs, database and folders. Throws when one is not ready.
 */
export async function composeDryRun(options: DryRunOptions = {}): Promise<DryRunResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const stackEnv = options.stackEnv ?? stackEnvOf();
  const plan = await planDryRun({ ...options, stackEnv });
  for (const note of plan.notes) log(`  ${note}`);
  const started = Date.now();
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const supervisor = new ProcessSupervisor(join(plan.dataDir, 'logs'));
  let removeSystem: (() => Promise<void>) | undefined;
  try {
    removeSystem = await provisionSystem(stackEnv, plan.scope);
    log(`  topics ${plan.scope.prefix}*, database ${plan.scope.database} (removed afterwards)`);
    const ready: DryRunResult['ready'] = [];
    const waiting = new Map<string, Promise<void>>();
    const startOne = (p: DryRunProcess): Promise<void> => {
      let running = waiting.get(p.service);
      if (running) return running;
      running = (async () => {
        // Simulators first: the services reach them at start (compose cannot say so outside the demo profile).
        const sims = plan.processes.filter((q) => q.target.name.startsWith('sim-') && q !== p && !p.target.name.startsWith('sim-'));
        const before = [...plan.processes.filter((q) => p.dependsOn.includes(q.service)), ...sims];
        await Promise.all(before.map(startOne));
        log(`  … ${p.service.padEnd(20)} starting (${p.spec.entry})`);
        await supervisor.start(p.spec, options.readyTimeoutMs ?? 120_000);
        const ms = Date.now() - started;
        ready.push({ service: p.service, ms, url: p.spec.readyUrl });
        log(`  ✓ ${p.service.padEnd(20)} ${p.spec.readyUrl.padEnd(40)} ready at ${seconds(ms)}`);
      })();
      waiting.set(p.service, running);
      return running;
    };
    await Promise.all(plan.processes.map(startOne));
    const totalMs = Date.now() - started;
    log(`all ${plan.processes.length} compose services ready in ${seconds(totalMs)}`);
    return { ready, totalMs };
  } finally {
    await supervisor.stopAll(20_000);
    await removeSystem?.();
    if (process.env['ODX_TEST_KEEP_LOGS'] === undefined) rmSync(plan.dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const { values } = parseCliArgs(
    'compose:dry-run',
    'starts every docker-compose.yml service as a local process (tsx on its TypeScript entry) with its compose environment mapped to the running local stack, waits until every /readyz is green, then stops them',
    {
      options: {
        file: { type: 'string', default: 'docker-compose.yml' },
        profile: { type: 'string', multiple: true, default: ['demo'] },
        timeout: { type: 'string', default: '120' },
        // The compiled image contents of `npm run image:layout -- --out <dir>` instead of the TypeScript entries.
        layout: { type: 'string' },
      },
    },
  );
  const timeout = Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    process.stderr.write(`compose:dry-run: --timeout must be a number of seconds, got ${values.timeout}\n`);
    return 2;
  }
  process.stdout.write(`compose:dry-run: ${values.file} (profiles: ${values.profile.join(', ') || 'none'}) on the local stack\n`);
  await composeDryRun({
    composeFile: resolve(REPO_ROOT, values.file),
    profiles: values.profile,
    readyTimeoutMs: timeout * 1000,
    ...(values.layout ? { layoutDir: resolve(values.layout) } : {}),
  });
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`compose:dry-run: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
