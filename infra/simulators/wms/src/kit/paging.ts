import { z } from 'zod';
import { ApiError, fieldPath } from './problem.js';

/** A record a client can follow by its last change: `updatedAt` moves on every state change. */
export interface Changeable {
  id: string;
  /** `Date.toISOString()` of the last change. */
  updatedAt: string;
}

/** One page of a list, ordered by (updatedAt, id); `nextPageToken` null on the last page. */
export interface Page<T> {
  items: T[];
  nextPageToken: string | null;
}

/** Where a page ended: the (updatedAt, id) of its last record. */
interface PagePosition {
  updatedAt: string;
  id: string;
}

/** Largest page a client may ask for. */
export const MAX_PAGE_SIZE = 1000;

/**
 * Query fields of a list that can be followed by change time, as real WMS and
 * TMS APIs offer them: `updatedSince` (records whose last change is at or
 * after it), `limit` and the opaque `pageToken` of the previous page.
 */
export const pagingQuery = {
  updatedSince: z.iso
    .datetime({ offset: true, message: 'must be an ISO 8601 date-time with a zone, e.g. 2030-01-15T10:00:00Z' })
    .optional(),
  limit: z.coerce
    .number({ message: `must be a whole number from 1 to ${MAX_PAGE_SIZE}` })
    .int(`must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .min(1, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .max(MAX_PAGE_SIZE, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .default(100),
  pageToken: z.string().min(1).max(512).optional(),
};

/** Parses list query parameters; a bad one is a 400 `invalid_query` naming each offending parameter. */
export function parseListQuery<T extends z.ZodType>(schema: T, query: unknown): z.output<T> {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues.map((issue) => ({ field: fieldPath(issue.path), message: issue.message, code: issue.code }));
  throw new ApiError(400, 'invalid_query', `Invalid query: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, errors);
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const positionSchema = z.object({ u: z.string().regex(ISO_UTC), i: z.string().min(1).max(200) }).strict();

function encodePageToken(p: PagePosition): string {
  return Buffer.from(JSON.stringify({ u: p.updatedAt, i: p.id })).toString('base64url');
}

function decodePageToken(token: string): PagePosition {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    json = undefined;
  }
  const parsed = positionSchema.safeParse(json);
  if (!parsed.success) {
    throw new ApiError(400, 'invalid_page_token', 'pageToken is not a token this API issued: pass the nextPageToken of the previous page unchanged, or start without one', [
      { field: 'pageToken', message: 'not a token this API issued', code: 'invalid_page_token' },
    ]);
  }
  return { updatedAt: parsed.data.u, id: parsed.data.i };
}

function compare(a: PagePosition, b: PagePosition): number {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt < b.updatedAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * One page of `records`, ordered by (updatedAt, id), after the position in
 * `pageToken`. Keyset paging keeps a walk through the pages stable while
 * records change: a record that changes moves behind the walk's position (its
 * `updatedAt` only grows), so it is listed later (again, if it was listed
 * already) and never skipped.
 */
export function pageByUpdatedAt<T extends Changeable>(records: Iterable<T>, query: { updatedSince?: string | undefined; limit: number; pageToken?: string | undefined }): Page<T> {
  const after = query.pageToken === undefined ? undefined : decodePageToken(query.pageToken);
  const since = query.updatedSince === undefined ? undefined : Date.parse(query.updatedSince);
  const matching: T[] = [];
  for (const record of records) {
    if (since !== undefined && Date.parse(record.updatedAt) < since) continue;
    if (after !== undefined && compare(record, after) <= 0) continue;
    matching.push(record);
  }
  matching.sort(compare);
  const items = matching.slice(0, query.limit);
  const last = items[items.length - 1];
  return { items, nextPageToken: matching.length > items.length && last !== undefined ? encodePageToken(last) : null };
}
