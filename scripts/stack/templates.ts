import { readFileSync } from 'node:fs';

/**
 * Fills `{{NAME}}` placeholders of a template file. Every placeholder must
 * have a value, so a typo in a template fails loudly instead of shipping
 * "{{PORT}}" to a server.
 */
export function renderTemplate(file: string, values: Record<string, string | number>): string {
  const text = readFileSync(file, 'utf8');
  return text.replace(/\{\{([A-Z0-9_]+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${file}: no value for placeholder {{${name}}}`);
    return String(value);
  });
}

/** Parses `key=value` lines (blank lines and # comments ignored). */
export function parseProperties(text: string): [string, string][] {
  const entries: [string, string][] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`not a key=value line: "${line}"`);
    entries.push([line.slice(0, eq).trim(), line.slice(eq + 1).trim()]);
  }
  return entries;
}
