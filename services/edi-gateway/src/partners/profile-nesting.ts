/**
 * Nesting checks for profiles, each linear and without recursion. The yaml library composes collections
 * recursively: 1,000 levels of `[` were a stack overflow, 10,000 a fatal out-of-memory abort of the whole
 * process (no try/catch sees it), and so was 60,000 `? ` on one line (V8 compiling a regular expression on an
 * exhausted stack). Its CST parser keeps an explicit stack, so the nesting is measured on the CST, before
 * anything is composed.
 */
import type { CST } from 'yaml';

/**
 * Whether YAML text opens more than `max` flow collections ([ or {) without closing them, counted over every
 * character, quoted or not (an unbalanced bracket inside a string can only over-count). A cheap first pass:
 * the CST of 1 MB of `[` took seconds to build.
 */
export function yamlFlowDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return false;
}

/** The tokens a CST token holds that can themselves be collections. */
function nestedTokens(token: CST.Token): Array<CST.Token | null | undefined> {
  switch (token.type) {
    case 'document':
      return [token.value];
    case 'block-map':
    case 'block-seq':
    case 'flow-collection':
      return token.items.flatMap((item) => [item.key, item.value]);
    default:
      return [];
  }
}

/** Whether CST tokens (yaml's Parser) nest block and flow collections deeper than `max`, without recursion. */
export function yamlCstDepthExceeds(tokens: readonly CST.Token[], max: number): boolean {
  const stack: Array<[CST.Token, number]> = tokens.map((t) => [t, 0]);
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [token, above] = item;
    const depth = token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection' ? above + 1 : above;
    if (depth > max) return true;
    for (const child of nestedTokens(token)) if (child) stack.push([child, depth]);
  }
  return false;
}

/** The nesting depth of a loaded value (objects and arrays), without recursion; stops past `max`. */
export function valueDepthExceeds(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [v, depth] = item;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
