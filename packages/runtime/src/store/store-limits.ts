/**
 * How much one command may ask of the store.
 *
 * FerretDB 1.24 (both its SQLite and PostgreSQL backends) wedges on an `update`
 * command with as many statements as its backend pool has connections: its
 * handler keeps each statement's query open until the whole command ends,
 * each holding one pooled connection, so the next statement waits forever
 * for a connection while holding the metadata lock that every other data
 * command needs. The pool has 100 connections on SQLite (fixed) and 50 on
 * PostgreSQL (FerretDB's default; the stack launcher asks for 200), and
 * concurrent commands share it, so commands stay far below either. A
 * bulkWrite of replaceOne/updateOne operations is exactly such a command. The
 * driver splits writes only at the server's maxWriteBatchSize (100,000), so
 * ODX splits them itself (docs/known-issues.md has the repro).
 *
 * FerretDB's SQLite backend also deletes matched documents with one
 * `DELETE ... WHERE _id IN (?, ...)`, which fails past SQLite's 32,766
 * variables, so unbounded deleteMany sweeps go in batches as well.
 */
export interface StoreLimits {
  /** Update/delete statements per command (replaceOne, updateOne, deleteOne, ...). @default 10 */
  maxStatements: number;
  /** Documents per insert command. @default 1000 */
  maxInsertDocuments: number;
  /** Documents one deleteMany batch removes (sweeps). @default 1000 */
  maxDeleteBatch: number;
}

/** The smallest statement count FerretDB 1.24 wedges at by default (its PostgreSQL pool); limits stay well below it. */
export const FERRETDB_UPDATE_STATEMENT_LIMIT = 50;

export const DEFAULT_STORE_LIMITS: Readonly<StoreLimits> = Object.freeze({
  maxStatements: 10,
  maxInsertDocuments: 1_000,
  maxDeleteBatch: 1_000,
});

let current: Readonly<StoreLimits> = DEFAULT_STORE_LIMITS;

/** The limits in force for this process (set once at start from ODX_MONGO_MAX_STATEMENTS). */
export function storeLimits(): Readonly<StoreLimits> {
  return current;
}

/** Sets the process-wide limits; each value must be a positive integer. */
export function configureStoreLimits(limits: Partial<StoreLimits>): Readonly<StoreLimits> {
  const next = { ...current, ...limits };
  for (const [name, value] of Object.entries(next)) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`store limit ${name} must be a positive integer, got ${String(value)}`);
  }
  current = Object.freeze(next);
  return current;
}

/** Splits `items` into consecutive chunks of at most `size` (size >= 1). */
export function chunked<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
