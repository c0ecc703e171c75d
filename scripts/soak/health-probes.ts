// What the restart soak asks the running system after each run's load: every
// service's /readyz, and a store round trip of its own (insert, then find by
// _id) on a scratch collection, through the same MongoDB driver the services use.
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';

export interface Readiness {
  service: string;
  status: number | null;
  /** Failing checks with their errors, or why there was no answer. */
  problems: string[];
}

/** GET /readyz of each service (name -> base URL). */
export async function readiness(services: Readonly<Record<string, string>>, timeoutMs = 10_000): Promise<Readiness[]> {
  return Promise.all(
    Object.entries(services).map(async ([service, base]): Promise<Readiness> => {
      try {
        const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
        const body = (await res.json().catch(() => null)) as { checks?: Record<string, { ok: boolean; error?: string }> } | null;
        const problems = Object.entries(body?.checks ?? {})
          .filter(([, c]) => !c.ok)
          .map(([name, c]) => `${name}: ${c.error ?? 'not ok'}`);
        return { service, status: res.status, problems };
      } catch (err) {
        return { service, status: null, problems: [err instanceof Error ? err.message : String(err)] };
      }
    }),
  );
}

export interface StoreRoundTrip {
  ok: boolean;
  /** insertOne + findOne by _id, milliseconds (connection set-up not included). */
  ms: number | null;
  error?: string;
}

/** Inserts one document into a scratch collection, reads it back by _id, drops the collection. */
export async function storeRoundTrip(mongoUrl: string, timeoutMs = 20_000): Promise<StoreRoundTrip> {
  const client = new MongoClient(mongoUrl, {
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    socketTimeoutMS: timeoutMs,
    maxPoolSize: 1,
  });
  const deadline = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs).unref(),
  );
  try {
    return await Promise.race([
      deadline,
      (async (): Promise<StoreRoundTrip> => {
        await client.connect();
        const scratch = client.db('odx_soak').collection<{ _id: string; at: Date }>(`roundtrip_${randomUUID().slice(0, 8)}`);
        const _id = randomUUID();
        const t0 = performance.now();
        await scratch.insertOne({ _id, at: new Date() });
        const found = await scratch.findOne({ _id });
        const ms = performance.now() - t0;
        await scratch.drop().catch(() => undefined);
        if (found?._id !== _id) return { ok: false, ms, error: 'the document read back is not the one inserted' };
        return { ok: true, ms };
      })(),
    ]);
  } catch (err) {
    return { ok: false, ms: null, error: err instanceof Error ? err.message : String(err) };
  } finally {
    void client.close(true).catch(() => undefined);
  }
}
