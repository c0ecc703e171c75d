import {
  MongoBulkWriteError,
  MongoServerError,
  type AnyBulkWriteOperation,
  type BulkWriteResult,
  type Collection,
  type Document,
  type Filter,
  type OptionalUnlessRequiredId,
} from 'mongodb';
import { mapLimited } from '../concurrency/map-limited.js';
import { chunked, storeLimits } from './store-limits.js';

/** MongoDB's duplicate key error code. */
export const DUPLICATE_KEY = 11000;

/** Whether `err` is a duplicate key error (a unique insert that lost its race). */
export function isDuplicateKeyError(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === DUPLICATE_KEY;
}

/** One failed operation of a chunked write, with its index in the caller's list. */
export interface ChunkedWriteError {
  index: number;
  code: number;
  message: string;
}

/** What a chunked bulk write did, added up over its chunks. */
export interface ChunkedBulkWriteResult {
  inserted: number;
  matched: number;
  modified: number;
  upserted: number;
  deleted: number;
  /** Commands sent. */
  commands: number;
  writeErrors: ChunkedWriteError[];
}

/** Thrown when operations of a chunked write failed for another reason than a duplicate key. */
export class ChunkedWriteFailed extends Error {
  constructor(
    readonly result: ChunkedBulkWriteResult,
    readonly failures: ChunkedWriteError[],
  ) {
    const first = failures[0];
    super(`${failures.length} of the store writes failed${first ? ` (first: #${first.index}, code ${first.code}: ${first.message})` : ''}`);
    this.name = 'ChunkedWriteFailed';
  }
}

export interface ChunkedWriteOptions {
  /** Stop at the first failed operation (later chunks are not sent). @default false */
  ordered?: boolean;
  /** Operations per command. @default storeLimits().maxStatements */
  chunkSize?: number;
  /** Duplicate key errors are reported in `writeErrors` but do not throw. @default false */
  allowDuplicates?: boolean;
}

function emptyResult(): ChunkedBulkWriteResult {
  return { inserted: 0, matched: 0, modified: 0, upserted: 0, deleted: 0, commands: 0, writeErrors: [] };
}

function addCounts(total: ChunkedBulkWriteResult, r: BulkWriteResult): void {
  total.inserted += r.insertedCount;
  total.matched += r.matchedCount;
  total.modified += r.modifiedCount;
  total.upserted += r.upsertedCount;
  total.deleted += r.deletedCount;
}

function writeErrorsOf(err: MongoBulkWriteError, offset: number): ChunkedWriteError[] {
  const list = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
  return list.map((e) => ({ index: offset + e.index, code: e.code, message: e.errmsg ?? err.message }));
}

/**
 * `collection.bulkWrite` in commands of at most `chunkSize` operations, so no
 * command reaches the statement count that wedges FerretDB (store-limits.ts).
 * Unordered by default: a failed operation does not stop the others, and the
 * failures come back with their index in `ops`. Throws `ChunkedWriteFailed`
 * when any operation failed (other than by a duplicate key, with
 * `allowDuplicates`), after every chunk that should run has run.
 */
export async function bulkWriteInChunks<T extends Document>(
  collection: Collection<T>,
  ops: readonly AnyBulkWriteOperation<T>[],
  options: ChunkedWriteOptions = {},
): Promise<ChunkedBulkWriteResult> {
  const ordered = options.ordered ?? false;
  const size = options.chunkSize ?? storeLimits().maxStatements;
  const total = emptyResult();
  let offset = 0;
  for (const chunk of chunked(ops, size)) {
    total.commands++;
    try {
      addCounts(total, await collection.bulkWrite(chunk, { ordered }));
    } catch (err) {
      if (!(err instanceof MongoBulkWriteError)) throw err;
      addCounts(total, err.result);
      total.writeErrors.push(...writeErrorsOf(err, offset));
      if (ordered) break;
    }
    offset += chunk.length;
  }
  const failures = options.allowDuplicates ? total.writeErrors.filter((e) => e.code !== DUPLICATE_KEY) : total.writeErrors;
  if (failures.length > 0) throw new ChunkedWriteFailed(total, failures);
  return total;
}

/** What `insertManyInChunks` did. */
export interface ChunkedInsertResult {
  inserted: number;
  /** Indexes (in the caller's list) of documents whose `_id` or unique key already existed. */
  duplicates: number[];
  commands: number;
}

/**
 * Unordered inserts in commands of at most `chunkSize` documents; documents
 * that already exist (duplicate key) are reported, not thrown, because
 * "insert once" is how ODX records facts. Any other failure throws
 * `ChunkedWriteFailed` after every chunk ran.
 */
export async function insertManyInChunks<T extends Document>(
  collection: Collection<T>,
  docs: readonly OptionalUnlessRequiredId<T>[],
  options: { chunkSize?: number } = {},
): Promise<ChunkedInsertResult> {
  const result = await bulkWriteInChunks(
    collection,
    docs.map((document) => ({ insertOne: { document } }) as AnyBulkWriteOperation<T>),
    { chunkSize: options.chunkSize ?? storeLimits().maxInsertDocuments, allowDuplicates: true },
  );
  return {
    inserted: result.inserted,
    duplicates: result.writeErrors.filter((e) => e.code === DUPLICATE_KEY).map((e) => e.index),
    commands: result.commands,
  };
}

/** Inserts one document; false when one with the same `_id` (or unique key) exists. */
export async function insertOnce<T extends Document>(collection: Collection<T>, doc: OptionalUnlessRequiredId<T>): Promise<boolean> {
  try {
    await collection.insertOne(doc);
    return true;
  } catch (err) {
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}

/**
 * Deletes documents by `_id`, `maxDeleteBatch` ids per command. Each command
 * is one `deleteMany({ _id: { $in } })`: FerretDB evaluates it with one scan of
 * the collection and one keyed delete, which measured 40x faster than one
 * `deleteOne` statement per id (60 deletes/s) on its SQLite backend.
 */
export async function deleteByIds<T extends Document>(collection: Collection<T>, ids: readonly T['_id'][]): Promise<number> {
  let deleted = 0;
  for (const chunk of chunked([...new Set(ids)], storeLimits().maxDeleteBatch)) {
    deleted += (await collection.deleteMany({ _id: { $in: chunk } } as Filter<T>)).deletedCount;
  }
  return deleted;
}

/**
 * Deletes every document matching `filter`, at most `batchSize` per round:
 * the ids of a batch are read first, then deleted by `_id` (deleteByIds). A
 * sweep over a large backlog so never sends one unbounded delete
 * (store-limits.ts). What matched at the read is deleted: use it for
 * documents that do not change back (expired keys, old state). Stops after
 * `maxBatches` (to bound one run of a sweeper), on `signal`, or when nothing
 * matches.
 */
export async function deleteManyInBatches<T extends Document>(
  collection: Collection<T>,
  filter: Filter<T>,
  options: { batchSize?: number; maxBatches?: number; signal?: AbortSignal } = {},
): Promise<{ deleted: number; batches: number; more: boolean }> {
  const size = options.batchSize ?? storeLimits().maxDeleteBatch;
  const maxBatches = options.maxBatches ?? Number.POSITIVE_INFINITY;
  let deleted = 0;
  let batches = 0;
  for (;;) {
    if (options.signal?.aborted || batches >= maxBatches) return { deleted, batches, more: true };
    const ids = (await collection.find(filter, { projection: { _id: 1 }, limit: size }).toArray()).map((d) => d._id as T['_id']);
    if (ids.length === 0) return { deleted, batches, more: false };
    batches++;
    deleted += await deleteByIds(collection, ids);
    if (ids.length < size) return { deleted, batches, more: false };
  }
}

/**
 * Reads documents by `_id` with one point lookup each (at most `concurrency`
 * at a time). On FerretDB's SQLite backend only a filter of exactly
 * `{ _id: <string or ObjectId> }` reaches the table's index: `_id: { $in }`
 * scans the whole collection, which grows with history. Returns the found
 * documents in the order of `ids` (missing ones left out).
 */
export async function findByIds<T extends Document>(
  collection: Collection<T>,
  ids: readonly (string | T['_id'])[],
  options: { concurrency?: number } = {},
): Promise<T[]> {
  const unique = [...new Set(ids)];
  const found = await mapLimited(
    unique,
    Math.max(1, options.concurrency ?? 8),
    (_id) => collection.findOne({ _id } as Filter<T>) as Promise<T | null>,
  );
  return found.filter((d): d is T => d !== null);
}
