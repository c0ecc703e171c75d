import type { PollCursor } from './cursor-store.js';

/**
 * Odoo stores write_date with microseconds (PostgreSQL `timestamp`) but the
 * external API shows and compares it at whole seconds, so a `(write_date, id)`
 * cursor cannot tie-break inside a second with `write_date = wd AND id > id`:
 * rows of that second stored at .5 s do not equal the string `wd`, and rows
 * ordered by write_date are not in id order within their second. The poller
 * therefore works in whole seconds: a second is read in id order (stable,
 * resumable) until done, later seconds in write_date order, and a batch that
 * ends inside a second gives that second back to the next poll.
 */

/** `YYYY-MM-DD HH:MM:SS` one second later. */
export function nextSecond(writeDate: string): string {
  const d = new Date(`${writeDate.replace(' ', 'T')}Z`);
  if (Number.isNaN(d.getTime())) throw new Error(`not an Odoo datetime: "${writeDate}"`);
  return new Date(d.getTime() + 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/** The rest of the cursor's second: `wd <= write_date < wd+1s AND id > cursor.id`, read in id order. */
export function restOfSecondDomain(cursor: PollCursor): unknown[] {
  return [
    ['write_date', '>=', cursor.writeDate],
    ['write_date', '<', nextSecond(cursor.writeDate)],
    ['id', '>', cursor.id],
  ];
}

/** Everything after the cursor's second (or everything, without a cursor), read in write_date order. */
export function laterSecondsDomain(cursor: PollCursor | undefined): unknown[] {
  return cursor ? [['write_date', '>=', nextSecond(cursor.writeDate)]] : [];
}

/**
 * The lookback window: records behind the cursor and at most `from` old, that
 * is seconds in [from, cursor's second), plus the cursor's own second up to
 * its id (the rest of that second is still ahead of the cursor).
 */
export function behindCursorDomain(from: string, cursor: PollCursor): unknown[] {
  return [
    '|',
    '&',
    ['write_date', '>=', from],
    ['write_date', '<', cursor.writeDate],
    '&',
    '&',
    ['write_date', '>=', cursor.writeDate],
    ['write_date', '<', nextSecond(cursor.writeDate)],
    ['id', '<=', cursor.id],
  ];
}

export const ORDER_BY_ID = 'id asc';
export const ORDER_BY_WRITE_DATE = 'write_date asc, id asc';
