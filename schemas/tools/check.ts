// Fails when a schema in the working tree is not BACKWARD compatible with the
// base revision (default: main) or, with --registry, with the latest
// registered version of its subject.
// Usage: npm run schemas:check [-- --base <ref>] [-- --registry [url]]
import { execFileSync } from 'node:child_process';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  AVRO_DIR,
  CATALOG_FILE,
  DEFAULT_REGISTRY_URL,
  findBackwardIncompatibilities,
  loadCatalog,
  loadEventSchema,
  parseCatalog,
  RegistryClient,
  SCHEMAS_ROOT,
  SchemaRepository,
  schemaRepository,
  subjectFor,
  type SchemaChangeProblem,
  type SchemaSource,
} from '../src/index.js';

function git(args: string[], cwd: string = SCHEMAS_ROOT): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

/** The `.avsc` sources and the catalog text at a git revision. */
export function readSchemasAtRef(ref: string): { sources: SchemaSource[]; catalogText: string | undefined } {
  try {
    git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new Error(`unknown git revision "${ref}"`);
  }
  const root = git(['rev-parse', '--show-toplevel']).trim();
  const avroPrefix = relative(root, AVRO_DIR).split('\\').join('/');
  const catalogPath = relative(root, CATALOG_FILE).split('\\').join('/');
  // Run from the repository root: ls-tree pathspecs and output are relative to the working directory.
  const files = git(['ls-tree', '-r', '--name-only', ref, '--', avroPrefix], root)
    .split('\n')
    .filter((p) => p.endsWith('.avsc'));
  const sources = files.map((p) => ({ path: p.slice(avroPrefix.length + 1), text: git(['show', `${ref}:${p}`], root) }));
  let catalogText: string | undefined;
  try {
    catalogText = git(['show', `${ref}:${catalogPath}`], root);
  } catch {
    catalogText = undefined; // No catalog at the base: nothing to compare topics with.
  }
  return { sources, catalogText };
}

/** Problems of the working tree against a git revision. */
export function checkAgainstRef(ref: string): { checked: number; problems: SchemaChangeProblem[] } {
  const { sources, catalogText } = readSchemasAtRef(ref);
  const base = SchemaRepository.fromSources(sources);
  const current = schemaRepository();
  const currentTopics = new Map(loadCatalog().topics.flatMap((t) => t.eventTypes.map((e) => [e, t.name] as const)));
  let baseTopics: Map<string, string> | undefined;
  if (catalogText !== undefined) {
    try {
      baseTopics = new Map(parseCatalog(catalogText, base).topics.flatMap((t) => t.eventTypes.map((e) => [e, t.name] as const)));
    } catch (err) {
      console.warn(`warning: the catalog at ${ref} does not load (${(err as Error).message}); topic moves are not checked`);
    }
  }
  return {
    checked: base.eventTypes.length,
    problems: findBackwardIncompatibilities(base, current, { current: currentTopics, ...(baseTopics ? { base: baseTopics } : {}) }),
  };
}

/** Problems of the working tree against the latest registered version of each subject. */
export async function checkAgainstRegistry(url: string): Promise<{ checked: number; problems: SchemaChangeProblem[] }> {
  const registry = new RegistryClient({ url });
  const problems: SchemaChangeProblem[] = [];
  let checked = 0;
  for (const topic of loadCatalog().topics) {
    for (const eventType of topic.eventTypes) {
      const subject = subjectFor(topic, eventType);
      const result = await registry.testCompatibility(subject, loadEventSchema(eventType));
      if (result === undefined) continue; // Not registered yet: a new subject is always compatible.
      checked++;
      if (!result.compatible) {
        problems.push({
          eventType,
          problem: `not compatible with the latest version of ${subject}: ${result.messages.join('; ') || 'registry gave no detail'}`,
        });
      }
    }
  }
  return { checked, problems };
}

const USAGE = 'npm run schemas:check [-- --base <git ref> | --registry [url]]  (BACKWARD compatibility of every event schema)';

function parseArgs(argv: string[]): { base: string; registry: string | undefined } {
  let base = 'main';
  let registry: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`usage: ${USAGE}\n`);
      process.exit(0);
    }
    if (arg === '--base') {
      const value = argv[++i];
      if (!value) throw new Error('--base needs a git revision');
      base = value;
    } else if (arg?.startsWith('--base=')) base = arg.slice('--base='.length);
    else if (arg === '--registry') {
      const next = argv[i + 1];
      registry = next && !next.startsWith('--') ? (i++, next) : (process.env['ODX_SCHEMA_REGISTRY_URL'] ?? DEFAULT_REGISTRY_URL);
    } else if (arg?.startsWith('--registry=')) registry = arg.slice('--registry='.length);
    else throw new Error(`unknown argument "${arg}"; usage: ${USAGE}`);
  }
  return { base, registry };
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`schemas:check: ${(err as Error).message}`);
    return 2;
  }
  try {
    const against = args.registry ? `the registry at ${args.registry}` : args.base;
    const { checked, problems } = args.registry ? await checkAgainstRegistry(args.registry) : checkAgainstRef(args.base);
    for (const p of problems) console.error(`FAIL ${p.eventType}: ${p.problem}`);
    if (problems.length > 0) {
      console.error(
        `schemas:check: ${problems.length} breaking change(s) against ${against}. Make the change BACKWARD compatible (add optional fields with defaults) or publish on a new .v2 topic.`,
      );
      return 1;
    }
    console.log(`schemas:check: ${checked} event schema(s) from ${against} checked; all BACKWARD compatible`);
    return 0;
  } catch (err) {
    console.error(`schemas:check: ${(err as Error).message}`);
    return 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
