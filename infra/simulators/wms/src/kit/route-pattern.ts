/**
 * Route patterns used by fault rules: `"POST /v1/shipments"`,
 * `"/v1/outbound-orders/*"` (any method), `"* /v1/**"`. `*` matches one path
 * segment, `**` any number of them.
 */
export class RoutePattern {
  readonly #method: string | null;
  readonly #path: RegExp;

  constructor(readonly source: string) {
    const parts = source.trim().split(/\s+/);
    const [first = '', second] = parts;
    const method = second === undefined ? null : first.toUpperCase();
    const path = second ?? first;
    this.#method = method === '*' ? null : method;
    const body = path
      .split('**')
      .map((chunk) => chunk.split('*').map(escapeRegExp).join('[^/]*'))
      .join('.*');
    this.#path = new RegExp(`^${body}/?$`);
  }

  matches(method: string, path: string): boolean {
    if (this.#method !== null && this.#method !== method.toUpperCase()) return false;
    return this.#path.test(path);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** True when `routes` is empty (every API route) or one pattern matches. */
export function anyRouteMatches(routes: readonly string[], method: string, path: string): boolean {
  return routes.length === 0 || routes.some((r) => new RoutePattern(r).matches(method, path));
}
