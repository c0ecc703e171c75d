import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '@odx/runtime';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { allocationFileSchema, compileAllocationPolicy, type AllocationPolicy } from './allocation-policy.js';
import { compileCreditPolicy, creditFileSchema, type CreditPolicy } from './credit-policy.js';
import { PolicyFileError, type PolicyProblem } from './policy-file-error.js';
import { compileSlaPolicy, slaFileSchema, type SlaPolicy } from './sla-policy.js';

/** Everything the orchestrator decides by: SLA per step, the credit check, allocation rules. */
export interface OrchestratorPolicy {
  sla: SlaPolicy;
  credit: CreditPolicy;
  allocation: AllocationPolicy;
}

/** The files of a policy directory and what each holds. */
export const POLICY_FILES = { sla: 'sla.yaml', credit: 'credit.yaml', allocation: 'allocation.yaml' } as const;
type Part = keyof typeof POLICY_FILES;

/** The repository's infra/orchestrator, the default policy directory. */
export const DEFAULT_POLICY_DIR = fileURLToPath(new URL('../../../../infra/orchestrator/', import.meta.url));

/** A policy file larger than this is refused unread: these files are a few kB. */
const MAX_FILE_BYTES = 1024 * 1024;

/** One file's text and the name errors give it. */
export interface PolicySource {
  file: string;
  text: string;
}

/**
 * Loads sla.yaml, credit.yaml and allocation.yaml from `dir` and validates
 * them. Throws one PolicyFileError listing every problem in every file, each
 * naming the file (relative to the working directory when inside it) and the
 * field.
 * @default dir DEFAULT_POLICY_DIR (the repository's infra/orchestrator)
 */
export function loadOrchestratorPolicy(dir: string = DEFAULT_POLICY_DIR): OrchestratorPolicy {
  const problems: PolicyProblem[] = [];
  const sources = {} as Record<Part, PolicySource | null>;
  for (const part of Object.keys(POLICY_FILES) as Part[]) {
    const path = join(dir, POLICY_FILES[part]);
    const file = displayPath(path);
    try {
      const size = statSync(path).size;
      if (size > MAX_FILE_BYTES) {
        problems.push({ file, field: '(file)', message: `${size} bytes; a policy file may have at most ${MAX_FILE_BYTES}` });
        sources[part] = null;
        continue;
      }
      sources[part] = { file, text: readFileSync(path, 'utf8') };
    } catch (err) {
      const missing = (err as { code?: string }).code === 'ENOENT';
      problems.push({ file, field: '(file)', message: missing ? 'not found' : `cannot be read: ${errorMessage(err)}` });
      sources[part] = null;
    }
  }
  if (problems.length > 0) {
    // Still validate the files that were read, so one run reports everything.
    if (sources.sla) problems.push(...validate('sla', slaFileSchema, sources.sla).problems);
    if (sources.credit) problems.push(...validate('credit', creditFileSchema, sources.credit).problems);
    if (sources.allocation) problems.push(...validate('allocation', allocationFileSchema, sources.allocation).problems);
    throw new PolicyFileError(problems);
  }
  return parseOrchestratorPolicy({ sla: sources.sla!, credit: sources.credit!, allocation: sources.allocation! });
}

/** Validates the three files' texts (YAML or JSON); throws PolicyFileError listing every problem. */
export function parseOrchestratorPolicy(sources: Record<Part, PolicySource>): OrchestratorPolicy {
  const sla = validate('sla', slaFileSchema, sources.sla);
  const credit = validate('credit', creditFileSchema, sources.credit);
  const allocation = validate('allocation', allocationFileSchema, sources.allocation);
  const problems = [...sla.problems, ...credit.problems, ...allocation.problems];
  if (problems.length > 0 || !sla.data || !credit.data || !allocation.data) throw new PolicyFileError(problems);
  return {
    sla: compileSlaPolicy(sla.data),
    credit: compileCreditPolicy(credit.data),
    allocation: compileAllocationPolicy(allocation.data),
  };
}

function validate<T>(part: Part, schema: z.ZodType<T>, source: PolicySource): { data: T | null; problems: PolicyProblem[] } {
  const { file, text } = source;
  if (text.length > MAX_FILE_BYTES)
    return { data: null, problems: [{ file, field: '(file)', message: `longer than ${MAX_FILE_BYTES} characters` }] };
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 50 });
  } catch (err) {
    const kind = file.endsWith('.json') ? 'JSON' : 'YAML';
    return { data: null, problems: [{ file, field: '(file)', message: `not valid ${kind}: ${errorMessage(err).split('\n')[0]}` }] };
  }
  if (raw === null || raw === undefined)
    return {
      data: null,
      problems: [
        {
          file,
          field: '(file)',
          message: `is empty; expected the ${part} policy (see the comments in infra/orchestrator/${POLICY_FILES[part]})`,
        },
      ],
    };
  const result = schema.safeParse(raw, { error: plainMessage });
  if (result.success) return { data: result.data, problems: [] };
  const problems: PolicyProblem[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(schema, issue.path);
      for (const key of issue.keys) {
        problems.push({
          file,
          field: fieldName([...issue.path, key]),
          message: `unknown key${allowed ? `; expected one of ${allowed.join(', ')}` : ''}`,
        });
      }
    } else problems.push({ file, field: fieldName(issue.path), message: issue.message });
  }
  return { data: null, problems };
}

/** Messages for what the schemas leave to zod's defaults, in the files' terms. */
function plainMessage(issue: { code?: string; input?: unknown; expected?: string }): string | undefined {
  if (issue.input === undefined) return 'required';
  if (issue.code !== 'invalid_type') return undefined;
  const got =
    issue.input === null
      ? 'nothing'
      : Array.isArray(issue.input)
        ? 'a list'
        : typeof issue.input === 'object'
          ? 'a mapping'
          : `${typeof issue.input} ${JSON.stringify(issue.input)}`;
  if (issue.expected === 'object') return `expected a mapping (key: value), got ${got}`;
  if (issue.expected === 'array') return `expected a list, got ${got}`;
  if (issue.expected === 'string') return `expected a string, got ${got}`;
  return undefined;
}

/** A dotted path; keys that are not plain words are quoted (`carriers["DHL Freight"]`). */
function fieldName(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(root)';
  return path
    .map((p, i) => {
      if (typeof p === 'number') return `[${p}]`;
      const key = String(p);
      if (!/^[A-Za-z0-9_-]+$/.test(key)) return `[${JSON.stringify(key)}]`;
      return i === 0 ? key : `.${key}`;
    })
    .join('');
}

/** The keys a strict object at `path` of `schema` accepts, for "unknown key" messages. */
function allowedKeys(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] | null {
  let s: z.ZodType = schema;
  for (let i = 0; i <= path.length; i++) {
    while (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodPipe) {
      s = s instanceof z.ZodPipe ? (s.in as z.ZodType) : (s.unwrap() as z.ZodType);
    }
    if (i === path.length) break;
    if (s instanceof z.ZodObject) s = (s.shape as Record<string, z.ZodType>)[String(path[i])] ?? z.never();
    else if (s instanceof z.ZodRecord) s = s.valueType as z.ZodType;
    else if (s instanceof z.ZodArray) s = s.element as z.ZodType;
    else return null;
  }
  return s instanceof z.ZodObject ? Object.keys(s.shape) : null;
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
