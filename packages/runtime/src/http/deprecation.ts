// Deprecated HTTP routes tell their callers so on every answer (docs/deprecation-policy.md, "HTTP APIs"):
// `Deprecation` (RFC 9745), `Sunset` (RFC 8594) and `Link` to the successor and the policy.
import { MIN_SUNSET_NOTICE_DAYS } from '@odx/schemas';
import type { RequestHandler } from 'express';

/** A route's deprecation, as the topic catalog states a topic's. */
export interface RouteDeprecation {
  /** Day (UTC, `YYYY-MM-DD`) the successor became available. */
  since: string;
  /** Day (UTC, `YYYY-MM-DD`) after which the route may be gone; at least 90 days after `since`. */
  sunset?: string;
  /** Path or URL of the route that replaces it, e.g. `/v2/orders`. */
  successor?: string;
  /** URL where callers read the deprecation (a changelog entry, the published policy); sent as rel="deprecation". */
  policy?: string;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Milliseconds of a valid `YYYY-MM-DD` day at 00:00 UTC; throws naming the field otherwise. */
function dayMs(value: string, field: string): number {
  const m = DAY.exec(value);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || new Date(ms).toISOString().slice(0, 10) !== value)
    throw new Error(`route deprecation: ${field} must be a day as YYYY-MM-DD, got ${JSON.stringify(value)}`);
  return ms;
}

/** The headers a deprecated route sends; throws on impossible days or a sunset under 90 days after `since`. */
export function deprecationHeaders(d: RouteDeprecation): Record<string, string> {
  const since = dayMs(d.since, 'since');
  const headers: Record<string, string> = { Deprecation: `@${Math.floor(since / 1000)}` };
  if (d.sunset !== undefined) {
    const sunset = dayMs(d.sunset, 'sunset');
    const notice = (sunset - since) / 86_400_000;
    if (notice < MIN_SUNSET_NOTICE_DAYS)
      throw new Error(
        `route deprecation: sunset ${d.sunset} is ${notice} days after since ${d.since}; the policy gives callers at least ${MIN_SUNSET_NOTICE_DAYS} days`,
      );
    // The end of the sunset day: the route answers through it.
    headers['Sunset'] = new Date(sunset + 86_400_000 - 1000).toUTCString();
  }
  const links = [
    ...(d.successor !== undefined ? [`<${d.successor}>; rel="successor-version"`] : []),
    ...(d.policy !== undefined ? [`<${d.policy}>; rel="deprecation"`] : []),
  ];
  if (links.length > 0) headers['Link'] = links.join(', ');
  return headers;
}

/**
 * Middleware for a deprecated route: `router.get('/v1/x', deprecated({ since: '2026-12-01', successor: '/v2/x' }), h)`.
 * The headers are set before the handler runs, so errors answer with them too. Validated when the route is mounted.
 */
export function deprecated(d: RouteDeprecation): RequestHandler {
  const headers = deprecationHeaders(d);
  return (_req, res, next) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    next();
  };
}
