import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PartName } from './config.js';
import { StackError } from './errors.js';
import { findOnPath } from './tools.js';

export interface JavaRuntime {
  home: string;
  /** `<home>/bin/java`. */
  executable: string;
  /** Feature version (17, 21, 25, ...). */
  version: number;
}

/** Feature version from `<home>/release` (JAVA_VERSION="17.0.15"), without starting a JVM. */
export function javaVersionOf(home: string): number | undefined {
  try {
    const release = readFileSync(join(home, 'release'), 'utf8');
    const match = /^JAVA_VERSION="(\d+)(?:\.(\d+))?/m.exec(release);
    if (!match?.[1]) return undefined;
    // Java 8 and older report "1.8.0".
    return match[1] === '1' ? Number(match[2]) : Number(match[1]);
  } catch {
    return undefined;
  }
}

function runtimeAt(home: string): JavaRuntime | undefined {
  const version = javaVersionOf(home);
  if (version === undefined) return undefined;
  return { home, executable: join(home, 'bin', 'java'), version };
}

function homeOfPathJava(env: NodeJS.ProcessEnv): string | undefined {
  const onPath = findOnPath('java', env);
  if (!onPath) return undefined;
  try {
    return dirname(dirname(realpathSync(onPath)));
  } catch {
    return undefined;
  }
}

function jvmDirHomes(root = '/usr/lib/jvm'): string[] {
  try {
    return readdirSync(root).map((name) => join(root, name));
  } catch {
    return [];
  }
}

/**
 * Finds a Java runtime of at least `minVersion`: first the named env
 * variables (in order), then `java` on PATH, then the newest under
 * /usr/lib/jvm. Throws a `missing-tool` error listing what was tried.
 */
export function findJava(part: PartName, minVersion: number, envVars: string[], env: NodeJS.ProcessEnv = process.env): JavaRuntime {
  const tried: string[] = [];
  for (const name of envVars) {
    const home = env[name];
    if (!home) {
      tried.push(`$${name} (unset)`);
      continue;
    }
    const runtime = runtimeAt(home);
    if (runtime && runtime.version >= minVersion) return runtime;
    tried.push(`$${name}=${home} (${runtime ? `Java ${runtime.version}` : 'no JDK there'})`);
  }
  const pathHome = homeOfPathJava(env);
  if (pathHome) {
    const runtime = runtimeAt(pathHome);
    if (runtime && runtime.version >= minVersion) return runtime;
    tried.push(`java on PATH (${pathHome}: ${runtime ? `Java ${runtime.version}` : 'version unknown'})`);
  } else {
    tried.push('java on PATH (none)');
  }
  const scanned = jvmDirHomes()
    .map(runtimeAt)
    .filter((r): r is JavaRuntime => r !== undefined)
    .sort((a, b) => b.version - a.version);
  const best = scanned.find((r) => r.version >= minVersion);
  if (best) return best;
  tried.push(`/usr/lib/jvm/* (${scanned.map((r) => `Java ${r.version}`).join(', ') || 'nothing'})`);
  throw new StackError(`"java" ${minVersion} or newer not found; looked at ${tried.join('; ')}. Install a JDK >= ${minVersion}`, {
    reason: 'missing-tool',
    part,
  });
}
