// The semantic half of `npm run compose:check`: for every compose service built from an ODX service folder,
// the environment compose gives it (interpolated as compose would) must satisfy that service's own config
// loader and the runtime's; the folders its config writes must be on a writable volume and the files it reads
// must be mounted (the image holds only code, owned by root); and outside a dev or demo profile no config
// value that is a secret may be a known development secret.
import { isAbsolute, posix, relative, sep } from 'node:path';
import { REPO_ROOT } from '../repo-root.js';
import { interpolate, type RequiredVariable } from './interpolate.js';
import { SERVICE_CONFIGS, devSecretReason, loadServiceRuntimeConfig } from './service-configs.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Mapping = { [key: string]: Json };

const isMapping = (value: Json | undefined): value is Mapping => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The image's working directory (infra/docker/service.Dockerfile): relative paths in a config resolve here. */
export const CONTAINER_APP_DIR = '/app';
/** Profiles in which development secrets are allowed. */
export const DEV_PROFILES: ReadonlySet<string> = new Set(['dev', 'demo']);
/** Config keys whose values are secrets. */
const SECRET_KEY = /secret|password|token|apikey/i;

/** A compose service that runs an ODX service image. */
export interface OdxComposeService {
  /** The compose service name. */
  name: string;
  /** The image target (build arg SERVICE): a folder under services/, or sim-odoo, sim-wms, sim-tms. */
  target: string;
  /** Its environment after interpolation. */
  env: Record<string, string>;
  /** Required variables the checking environment did not set (placeholders stand in for them). */
  required: RequiredVariable[];
  profiles: string[];
  volumes: { source: string; target: string; readOnly: boolean }[];
}

/** The environment of a compose service, interpolated (list or mapping form; a null value passes the host's). */
export function composeEnvironment(
  environment: Json | undefined,
  env: Readonly<Record<string, string | undefined>>,
): { env: Record<string, string>; required: RequiredVariable[] } {
  const out: Record<string, string> = {};
  const required: RequiredVariable[] = [];
  const entries: [string, Json][] = Array.isArray(environment)
    ? environment.map((e): [string, Json] => {
        const text = String(e);
        const at = text.indexOf('=');
        return at < 0 ? [text, null] : [text.slice(0, at), text.slice(at + 1)];
      })
    : isMapping(environment)
      ? Object.entries(environment)
      : [];
  for (const [key, raw] of entries) {
    if (raw === null) {
      const passed = env[key];
      if (passed !== undefined) out[key] = passed;
      continue;
    }
    const value = interpolate(String(raw), env);
    out[key] = value.value;
    required.push(...value.required);
  }
  return { env: out, required };
}

function volumesOf(svc: Mapping, env: Readonly<Record<string, string | undefined>>): OdxComposeService['volumes'] {
  const list = Array.isArray(svc.volumes) ? svc.volumes : [];
  return list.flatMap((v) => {
    if (typeof v === 'string') {
      const [source = '', target = '', mode = ''] = interpolate(v, env).value.split(':');
      return target ? [{ source, target, readOnly: mode.split(',').includes('ro') }] : [];
    }
    if (isMapping(v) && typeof v.target === 'string')
      return [{ source: typeof v.source === 'string' ? v.source : '', target: v.target, readOnly: v.read_only === true }];
    return [];
  });
}

/** The compose services that run ODX images, with what compose would give them. */
export function odxComposeServices(root: Json, env: Readonly<Record<string, string | undefined>>): OdxComposeService[] {
  if (!isMapping(root) || !isMapping(root.services)) return [];
  return Object.entries(root.services).flatMap(([name, svc]): OdxComposeService[] => {
    if (!isMapping(svc) || !isMapping(svc.build) || !isMapping(svc.build.args)) return [];
    const target = svc.build.args.SERVICE;
    if (typeof target !== 'string') return [];
    const { env: serviceEnv, required } = composeEnvironment(svc.environment, env);
    const profiles = Array.isArray(svc.profiles) ? svc.profiles.map(String) : [];
    return [{ name, target, env: serviceEnv, required, profiles, volumes: volumesOf(svc, env) }];
  });
}

/**
 * Where a path a config computed on this machine points inside the container: the loaders resolve relative paths
 * against the working directory, and module-relative defaults against the repository, both of which are /app there.
 */
export function containerPath(path: string, cwd = process.cwd()): string {
  if (!isAbsolute(path)) return posix.join(CONTAINER_APP_DIR, path);
  for (const base of [REPO_ROOT, cwd]) {
    const rel = relative(base, path);
    if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) return posix.join(CONTAINER_APP_DIR, rel.split(sep).join('/'));
  }
  return path;
}

const within = (path: string, dir: string): boolean => path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);

/** Leaves of a compiled config whose key names a secret, with their dotted path. */
function secretLeaves(value: unknown, path: string[] = []): { path: string; value: string }[] {
  if (typeof value === 'string') return SECRET_KEY.test(path.at(-1) ?? '') ? [{ path: path.join('.'), value }] : [];
  if (value === null || typeof value !== 'object' || value instanceof Map) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => secretLeaves(v, [...path, String(i)]));
  return Object.entries(value).flatMap(([k, v]) => (k === 'env' ? [] : secretLeaves(v, [...path, k])));
}

function configProblem(err: unknown): string {
  return (err as Error).message
    .replace(/^invalid configuration:\n/, '')
    .split('\n')
    .map((line) => line.trim().replace(/^-\s*/, ''))
    .join('; ');
}

/** Semantic problems of a parsed compose file, checked with `env` as the environment compose interpolates from. */
export function semanticProblems(root: Json, env: Readonly<Record<string, string | undefined>>): string[] {
  const problems: string[] = [];
  for (const svc of odxComposeServices(root, env)) {
    const at = `services.${svc.name}`;
    if (svc.target.startsWith('sim-')) continue; // simulators: demo profile only; their settings are their own CLI's
    const probe = SERVICE_CONFIGS[svc.target];
    if (!probe) {
      problems.push(`${at}: builds SERVICE=${svc.target}, which has no config probe in scripts/compose/service-configs.ts`);
      continue;
    }
    // The process sees only what compose gives it (and the image's ENV, which compose's values override).
    const env = { ...svc.env };
    let runtime: unknown;
    let config: unknown;
    try {
      runtime = loadServiceRuntimeConfig(svc.target, env);
    } catch (err) {
      problems.push(`${at}: the runtime's config refuses the environment compose gives it: ${configProblem(err)}`);
    }
    try {
      config = probe.load(env);
    } catch (err) {
      problems.push(
        `${at}: ${svc.target}'s own config refuses the environment compose gives it (it would exit at start): ${configProblem(err)}`,
      );
      continue;
    }
    for (const { path, what } of probe.writes(config)) {
      const inside = containerPath(path);
      const volume = svc.volumes.find((v) => within(inside, v.target));
      if (!volume)
        problems.push(
          `${at}: writes ${what} to ${inside}, which is on no volume: inside the image that is read-only to the service's user (and lost with the container); mount a volume there or point the setting at one`,
        );
      else if (volume.readOnly)
        problems.push(`${at}: writes ${what} to ${inside}, but the volume at ${volume.target} is mounted read-only`);
    }
    for (const { path, what } of probe.reads(config)) {
      const inside = containerPath(path);
      if (!svc.volumes.some((v) => within(inside, v.target)))
        problems.push(`${at}: reads ${what} from ${inside}, which is not mounted (the image holds no files beyond the code)`);
    }
    if (svc.profiles.some((p) => DEV_PROFILES.has(p))) continue;
    const leaves = [
      ...secretLeaves(runtime).map((l) => ({ ...l, path: `runtime ${l.path}` })),
      ...secretLeaves(config).map((l) => ({ ...l, path: `${svc.target} ${l.path}` })),
    ];
    for (const leaf of leaves) {
      const reason = devSecretReason(leaf.value);
      if (reason)
        problems.push(
          `${at}: ${leaf.path} is ${reason}, a known development secret, outside a dev profile; require a real one with \${VAR:?message}`,
        );
    }
  }
  return problems;
}

/** Every required variable of the file (name -> message), for the report and for docker-compose's own check. */
export function requiredVariables(root: Json, env: Readonly<Record<string, string | undefined>>): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (value: Json): void => {
    if (typeof value === 'string') for (const r of interpolate(value, env).required) found.set(r.name, r.message);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (isMapping(value)) Object.values(value).forEach(walk);
  };
  walk(root);
  return found;
}
