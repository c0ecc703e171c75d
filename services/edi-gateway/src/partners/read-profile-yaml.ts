import { Composer, Parser, isAlias, isScalar, visit, type Document } from 'yaml';
import { PartnerProfileError } from './partner-profile-error.js';
import type { ProfileLimits } from './profile-limits.js';
import { yamlCstDepthExceeds } from './profile-nesting.js';

/**
 * The yaml library's defaults are quadratic on hostile text (measured, 250 KB): its duplicate-key check compares
 * each key with every earlier one (25,000 keys: 5.7 s of CPU) and each error quotes its whole source line
 * (62,500 errors on one line: 37 s). Both are off here; duplicate keys are found below with a Set, and only the
 * first error's position is computed. Warnings (an unknown tag) are not printed.
 */
const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: false, logLevel: 'error' } as const;

export const PROTO_KEY = 'the key "__proto__", which cannot name a code or a setting';

/** 1-based line and column of offset `pos`. */
function lineAndColumn(text: string, pos: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < pos; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${pos - lineStart + 1}`;
}

/** The first mapping key that is a collection or repeats an earlier key of its mapping, described; else null. */
function badKey(doc: Document): string | null {
  let found: string | null = null;
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = pair.key;
        if (key !== null && !isScalar(key) && !isAlias(key)) found = 'a mapping key that is itself a mapping or sequence';
        else {
          const name = key === null ? '' : isAlias(key) ? `*${key.source}` : String(key.value);
          if (seen.has(name)) found = `the key "${name.slice(0, 64)}" twice in one mapping`;
          // A plain object cannot hold it as a key (assigning it sets the prototype), so it would vanish unseen.
          if (name === '__proto__') found = PROTO_KEY;
          seen.add(name);
        }
        if (found) return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

function aliasCount(doc: Document): number {
  let count = 0;
  visit(doc, {
    Alias() {
      count++;
    },
  });
  return count;
}

/**
 * The text's one document, composed from CST tokens whose nesting was measured first: over `maxDepth` the
 * composer, which recurses per level, never sees them. A second document is an error, as in yaml's parseDocument.
 */
function composeDocument(text: string, file: string, limits: ProfileLimits): Document.Parsed {
  const tokens = [...new Parser().parse(text)];
  if (yamlCstDepthExceeds(tokens, limits.maxDepth)) throw PartnerProfileError.overCap(file, 'maxDepth', limits, 'nested deeper');
  let doc: Document.Parsed | null = null;
  for (const next of new Composer(PARSE_OPTIONS).compose(tokens, true, text.length)) {
    if (doc)
      throw PartnerProfileError.ofFile(
        file,
        `not valid YAML: more than one document (a second "---" at ${lineAndColumn(text, next.range[0])})`,
      );
    doc = next;
  }
  // compose(..., forceDoc = true) always yields one document, empty text included.
  return doc!;
}

/**
 * Reads one YAML profile text into a plain value, with at most `limits.maxDepth` levels and `limits.maxAliases`
 * aliases (each counted, and yaml's expansion check on what they name); throws PartnerProfileError naming the
 * file, the fault and any cap. The text's size and flow nesting are checked before this is called.
 */
export function readProfileYaml(text: string, file: string, limits: ProfileLimits): unknown {
  const doc = composeDocument(text, file, limits);
  const error = doc.errors[0];
  if (error) throw PartnerProfileError.ofFile(file, `not valid YAML: ${error.message} at ${lineAndColumn(text, error.pos[0])}`);
  const aliases = aliasCount(doc);
  if (aliases > limits.maxAliases) throw PartnerProfileError.overCap(file, 'maxAliases', limits, `${aliases} aliases`);
  const key = badKey(doc);
  if (key) throw PartnerProfileError.ofFile(file, `not valid YAML: ${key}`);
  try {
    return doc.toJS({ maxAliasCount: limits.maxAliases });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/Excessive alias count/.test(message))
      throw PartnerProfileError.overCap(file, 'maxAliases', limits, 'aliases naming aliases expand further');
    throw PartnerProfileError.ofFile(file, `not valid YAML: ${message.split('\n')[0]}`);
  }
}
