// Compose's variable interpolation (`$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`,
// `${VAR?message}`, `${VAR:+alt}`, `${VAR+alt}`, `$$`), so the checks see the values compose would give a
// container. A required variable the environment lacks gets a placeholder (the operator must set one; the
// checks then ask whether the rest of the configuration holds), and is reported as such.

/** A `${VAR:?message}` (or `${VAR?message}`) the environment did not set. */
export interface RequiredVariable {
  name: string;
  message: string;
}

export interface Interpolated {
  value: string;
  required: RequiredVariable[];
}

const REFERENCE = /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/**
 * What stands in for a required variable nobody set: long enough for any secret the services take (32+
 * characters), a URL where the name says one is wanted. Never a known development secret.
 */
export function placeholderFor(name: string): string {
  return /_URL$/.test(name)
    ? `http://placeholder-${name.toLowerCase().replace(/_/g, '-')}.invalid:8080`
    : `placeholder-for-${name}-4f1c9a7e2b8d4c6f9e0a1b2c3d4e5f60`;
}

/** Interpolates one value as compose does; required variables missing from `env` get `placeholderFor`. */
export function interpolate(text: string, env: Readonly<Record<string, string | undefined>>): Interpolated {
  const required: RequiredVariable[] = [];
  const value = text.replace(
    REFERENCE,
    (match, braced: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined) => {
      if (match === '$$') return '$';
      const name = (braced ?? bare)!;
      const current = env[name];
      const unset = current === undefined;
      const empty = unset || current === '';
      const inner = (): string => {
        const nested = interpolate(arg ?? '', env);
        required.push(...nested.required);
        return nested.value;
      };
      switch (op) {
        case undefined:
          return current ?? '';
        case ':-':
          return empty ? inner() : current!;
        case '-':
          return unset ? inner() : current!;
        case ':+':
          return empty ? '' : inner();
        case '+':
          return unset ? '' : inner();
        case ':?':
        case '?':
          if (op === ':?' ? empty : unset) {
            required.push({ name, message: arg ?? '' });
            return placeholderFor(name);
          }
          return current!;
        default:
          return match;
      }
    },
  );
  return { value, required };
}
