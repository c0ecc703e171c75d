import { jsonDepthExceeds } from '@odx/runtime';
import { PartnerProfileError } from './partner-profile-error.js';
import type { ProfileLimits } from './profile-limits.js';
import { valueDepthExceeds, yamlFlowDepthExceeds } from './profile-nesting.js';
import { PROTO_KEY, readProfileYaml } from './read-profile-yaml.js';

function readJson(text: string, file: string): unknown {
  let proto = false;
  let value: unknown;
  try {
    // A plain object cannot keep "__proto__" as a key (the schema drops it), so it is refused rather than lost.
    value = JSON.parse(text, (key, v: unknown) => {
      if (key === '__proto__') proto = true;
      return v;
    });
  } catch (err) {
    throw PartnerProfileError.ofFile(file, `not valid JSON: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  if (proto) throw PartnerProfileError.ofFile(file, `not valid JSON: ${PROTO_KEY}`);
  return value;
}

/**
 * Reads a profile's text (YAML, or JSON for a *.json file) into a plain value within the caps: size, nesting
 * (on the text, on YAML's CST, and on the loaded value, each in one linear pass) and aliases. Throws
 * PartnerProfileError naming the file and, for a cap, the cap and its setting.
 */
export function readProfileText(text: string, file: string, limits: ProfileLimits): unknown {
  const json = file.endsWith('.json');
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes) throw PartnerProfileError.overCap(file, 'maxBytes', limits, `${bytes} bytes`);
  if (json ? jsonDepthExceeds(text, limits.maxDepth) : yamlFlowDepthExceeds(text, limits.maxDepth))
    throw PartnerProfileError.overCap(file, 'maxDepth', limits, 'nested deeper');
  const raw = json ? readJson(text, file) : readProfileYaml(text, file, limits);
  // What the text checks over-estimate is measured exactly on the value (aliases included).
  if (valueDepthExceeds(raw, limits.maxDepth)) throw PartnerProfileError.overCap(file, 'maxDepth', limits, 'nested deeper');
  return raw;
}
