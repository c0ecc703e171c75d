import type { Command } from 'commander';
import { MongoClient } from 'mongodb';
import { AuditLog } from '@odx/runtime/audit';
import { ScopeError, ServiceKeyError, ServiceKeyStore, type ServiceKeyView } from '@odx/runtime/auth';
import { parseDuration } from '../dev-token.js';
import { table, type CommandContext } from '../context.js';
import { UsageError } from '../exit-codes.js';

/**
 * `odx keys create|list|rotate|revoke`: service-account API keys, written straight to the runtime's collection
 * (`odx_service_keys`) in the services' MongoDB (--mongo-url / ODX_MONGO_URL, ODX_MONGO_DB): whoever may write
 * that database administers keys. Each change is audited in `odx_audit` before it is reported.
 */
export function registerKeys(program: Command, ctx: CommandContext): void {
  const keys = program
    .command('keys')
    .description('service-account API keys (scopes, rate limit, rotation with overlap, revocation) in the services\u2019 MongoDB')
    .option('--mongo-url <url>', 'MongoDB the services use (env ODX_MONGO_URL, default mongodb://127.0.0.1:27017/)')
    .option('--mongo-db <name>', 'database (env ODX_MONGO_DB, default odx)');

  const actor = `cli:${ctx.io.env['USER'] ?? 'unknown'}`;
  const withStore = async <T>(cmd: Command, fn: (store: ServiceKeyStore, audit: AuditLog) => Promise<T>): Promise<T> => {
    const o = cmd.optsWithGlobals<{ mongoUrl?: string; mongoDb?: string }>();
    const client = new MongoClient(o.mongoUrl ?? ctx.io.env['ODX_MONGO_URL'] ?? 'mongodb://127.0.0.1:27017/', {
      serverSelectionTimeoutMS: 5_000,
      appName: 'odx-cli',
    });
    try {
      await client.connect();
      const db = client.db(o.mongoDb ?? ctx.io.env['ODX_MONGO_DB'] ?? 'odx');
      return await fn(new ServiceKeyStore(db, 0), new AuditLog(db));
    } catch (err) {
      if (err instanceof ServiceKeyError || err instanceof ScopeError) throw new UsageError(err.message);
      throw err;
    } finally {
      await client.close();
    }
  };
  const audited = (audit: AuditLog, action: string, target: string, details: Record<string, unknown>) =>
    audit.record({ service: 'odx-cli', actor, role: 'admin', action, target, outcome: 'succeeded', count: 1, details });

  keys
    .command('create')
    .description('create the first key of a service account; the key is printed once (only its hash is stored)')
    .argument('<account>', 'service account, e.g. order-orchestrator or crm-sync')
    .requiredOption('--scope <scope...>', 'viewer | operator | admin, or <service>:<role> (e.g. analytics-sink:viewer)')
    .option('--rate-limit <n>', 'requests per rate window for this key (default: each service\u2019s ODX_AUTH_RATE_LIMIT)')
    .option('--note <text>', 'what the key is for')
    .action(async (account: string, o: { scope: string[]; rateLimit?: string; note?: string }, cmd: Command) => {
      const rateLimit = o.rateLimit === undefined ? null : Number(o.rateLimit);
      if (rateLimit !== null && !(Number.isInteger(rateLimit) && rateLimit > 0))
        throw new UsageError('--rate-limit must be a positive integer');
      const created = await withStore(cmd, async (store, audit) => {
        const c = await store.create({ account, scopes: o.scope, rateLimit, createdBy: actor, note: o.note ?? null });
        await audited(audit, 'keys.create', account, { keyId: c.record._id, scopes: c.record.scopes, rateLimit });
        return c;
      });
      ctx.print(
        cmd,
        created,
        () =>
          `${created.key}\n(key ${created.record._id} of ${account}, scopes ${created.record.scopes.join(' ')}; shown once: store it now)`,
      );
    });

  keys
    .command('list')
    .description('keys and their status (active, expiring, expired, revoked); never the key or its hash')
    .argument('[account]', 'only this account')
    .action(async (account: string | undefined, _o: unknown, cmd: Command) => {
      const rows = await withStore(cmd, (store) => store.list(account));
      ctx.print(cmd, rows, () => keysTable(rows));
    });

  keys
    .command('rotate')
    .description('a new key for the account (same scopes and limit); the old one keeps working for --overlap')
    .argument('<account>')
    .option('--overlap <duration>', 'how long the old key keeps working: seconds or 15m, 8h, 7d', '24h')
    .action(async (account: string, o: { overlap: string }, cmd: Command) => {
      let overlapMs: number;
      try {
        overlapMs = parseDuration(o.overlap) * 1000;
      } catch (err) {
        throw new UsageError(`--overlap: ${(err as Error).message}`);
      }
      const rotated = await withStore(cmd, async (store, audit) => {
        const r = await store.rotate(account, actor, overlapMs);
        await audited(audit, 'keys.rotate', account, { keyId: r.record._id, expiring: r.expiring, overlapMs });
        return r;
      });
      ctx.print(
        cmd,
        rotated,
        () =>
          `${rotated.key}\n(new key ${rotated.record._id} of ${account}; ${rotated.expiring.join(', ')} expires in ${o.overlap}; shown once)`,
      );
    });

  keys
    .command('revoke')
    .description('revoke one key at once (by id), or every key of an account with --account')
    .argument('[keyId]')
    .option('--account <account>', 'revoke every key of this account')
    .action(async (keyId: string | undefined, o: { account?: string }, cmd: Command) => {
      if (!keyId === !o.account) throw new UsageError('name a key id or --account, not both');
      const target = keyId ? { keyId } : { account: o.account! };
      const ids = await withStore(cmd, async (store, audit) => {
        const revoked = await store.revoke(target, actor);
        await audited(audit, 'keys.revoke', keyId ?? o.account!, { revoked });
        return revoked;
      });
      ctx.print(
        cmd,
        { revoked: ids },
        () => `revoked ${ids.join(', ')} (services stop accepting it within ODX_AUTH_KEY_CACHE_MS, 10 s by default)`,
      );
    });
}

function keysTable(rows: readonly ServiceKeyView[]): string {
  if (rows.length === 0) return 'no keys';
  return table(
    ['KEY', 'ACCOUNT', 'STATUS', 'SCOPES', 'RATE', 'CREATED', 'EXPIRES', 'NOTE'],
    rows.map((r) => [
      r._id,
      r.account,
      r.status,
      r.scopes.join(' '),
      r.rateLimit ?? '-',
      r.createdAt.toISOString(),
      r.revokedAt ? `revoked ${r.revokedAt.toISOString()}` : (r.expiresAt?.toISOString() ?? '-'),
      r.note ?? '',
    ]),
  );
}
