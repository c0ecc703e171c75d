import type { PollCursor } from './cursor-store.js';

/**
 * Records strictly after `cursor` in (write_date, id) order:
 * `write_date > wd OR (write_date = wd AND id > id)`, in Odoo's prefix notation.
 * Many records can share one write_date second; the id tie-break means none is
 * skipped when a batch ends in the middle of such a second.
 */
export function afterCursorDomain(cursor: PollCursor | undefined): unknown[] {
  if (!cursor) return [];
  return ['|', ['write_date', '>', cursor.writeDate], '&', ['write_date', '=', cursor.writeDate], ['id', '>', cursor.id]];
}

/** Records written in [from, to] (Odoo datetime strings), for the lookback re-scan. */
export function windowDomain(from: string, to: string): unknown[] {
  return [['write_date', '>=', from], ['write_date', '<=', to]];
}

export const POLL_ORDER = 'write_date asc, id asc';
