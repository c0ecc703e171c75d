import type { Admin } from 'kafkajs';
import type { Db } from 'mongodb';
import { errorMessage } from '../resilience/errors.js';

/** One dependency /readyz checks. Resolve when healthy, throw (with a reason) when not. */
export interface ReadinessCheck {
  name: string;
  check: (signal: AbortSignal) => Promise<void>;
}

export function kafkaReadiness(admin: Admin): ReadinessCheck {
  return { name: 'kafka', check: async () => void (await admin.describeCluster()) };
}

/**
 * A real bounded data command, a write and a read of one small document keyed
 * by this instance, not only `ping`: a wedged FerretDB still answers `ping`
 * while every data command hangs (docs/known-issues.md). `runReadiness` bounds
 * the time.
 */
export function mongoReadiness(db: Db, instanceId: string): ReadinessCheck {
  const probes = db.collection<{ _id: string; at: Date }>('odx_readiness');
  const _id = `readyz:${instanceId}`;
  return {
    name: 'mongo',
    check: async () => {
      const at = new Date();
      await probes.replaceOne({ _id }, { at }, { upsert: true });
      const read = await probes.findOne({ _id });
      if (read?.at.getTime() !== at.getTime()) throw new Error('the readiness document read back is not the one just written');
    },
  };
}

/** Ready while the consumer is a working member of its group (a crashed one is not coming back by itself). */
export function consumerReadiness(name: string, consumer: { readonly health: { ok: boolean; detail: string } }): ReadinessCheck {
  return {
    name,
    check: async () => {
      const { ok, detail } = consumer.health;
      if (!ok) throw new Error(detail);
    },
  };
}

export function registryReadiness(registryUrl: string, auth?: { username: string; password: string }): ReadinessCheck {
  const headers: Record<string, string> = auth
    ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` }
    : {};
  return {
    name: 'schema-registry',
    check: async (signal) => {
      const res = await fetch(`${registryUrl}/config`, { signal, headers });
      if (!res.ok) throw new Error(`GET /config answered ${res.status}`);
    },
  };
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; ms: number; error?: string }>;
}

/** Runs every check in parallel, each bounded by `timeoutMs`. */
export async function runReadiness(checks: ReadinessCheck[], timeoutMs = 2_000): Promise<ReadinessReport> {
  const entries = await Promise.all(
    checks.map(async (c) => {
      const started = Date.now();
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        await Promise.race([
          c.check(signal),
          new Promise<never>((_, reject) =>
            signal.addEventListener('abort', () => reject(new Error(`no answer within ${timeoutMs} ms`)), { once: true }),
          ),
        ]);
        return [c.name, { ok: true, ms: Date.now() - started }] as const;
      } catch (err) {
        return [c.name, { ok: false, ms: Date.now() - started, error: errorMessage(err) }] as const;
      }
    }),
  );
  const result: ReadinessReport['checks'] = Object.fromEntries(entries);
  return { ready: Object.values(result).every((r) => r.ok), checks: result };
}
