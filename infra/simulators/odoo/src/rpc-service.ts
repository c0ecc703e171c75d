/**
 * Odoo's RPC services (odoo/service/common.py, db.py, model.py) on top of
 * the in-memory ORM. The three transports only decode requests and encode
 * answers; everything they can call goes through here, one transaction per
 * call.
 */
import type { SimClock } from './clock.js';
import { OdooError, accessDenied, httpError, typeError, valueError } from './errors.js';
import { Env, type Context } from './orm/env.js';
import { bindJson2, bindRpc, resolveMethod } from './orm/methods.js';
import { pyRepr } from './orm/python-repr.js';
import type { Store } from './orm/store.js';

export interface ServiceConfig {
  db: string;
  login: string;
  password: string;
  apiKey: string;
  /** Reported by `version()`. @default '17.0' */
  serverVersion: string;
}

export const ADMIN_UID = 2;

/**
 * Context key (not an Odoo one; Odoo ignores unknown keys) that commits the
 * call "late": its writes get a write_date `N` seconds in the past, as when
 * a long transaction commits after shorter ones.
 */
export const LATE_COMMIT_KEY = 'sim_late_commit_seconds';

export class OdooService {
  constructor(
    readonly store: Store,
    readonly clock: SimClock,
    readonly config: ServiceConfig,
  ) {}

  version(): Record<string, unknown> {
    const [major = '17', minor = '0'] = this.config.serverVersion.split(/[.+~-]/);
    return {
      server_version: this.config.serverVersion,
      server_version_info: [Number(major), Number(minor), 0, 'final', 0, ''],
      server_serie: `${major}.${minor}`,
      protocol_version: 1,
    };
  }

  /** `common` service: version, login, authenticate, about. */
  common(method: string, args: unknown[]): unknown {
    switch (method) {
      case 'version':
        return this.version();
      case 'about':
        return args[0] ? ['See http://openerp.com', this.config.serverVersion] : 'See http://openerp.com';
      case 'login':
        return this.authenticate(args[0], args[1], args[2]);
      case 'authenticate':
        return this.authenticate(args[0], args[1], args[2]);
      default:
        throw new OdooError('KeyError', pyRepr(`exp_${method}`));
    }
  }

  /** `db` service: the few read-only calls clients make. */
  dbService(method: string): unknown {
    if (method === 'list') return [this.config.db];
    if (method === 'server_version') return this.config.serverVersion;
    if (method === 'db_exist') return true;
    throw new OdooError('KeyError', pyRepr(`exp_${method}`));
  }

  private checkDb(db: unknown): void {
    if (db !== this.config.db) {
      throw new OdooError(
        'OperationalError',
        `connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: FATAL:  database ${pyRepr(String(db)).replaceAll("'", '"')} does not exist\n`,
      );
    }
  }

  private authenticate(db: unknown, login: unknown, password: unknown): number | false {
    this.checkDb(db);
    if (login === this.config.login && (password === this.config.password || password === this.config.apiKey)) return ADMIN_UID;
    return false;
  }

  /** security.check(db, uid, password): AccessDenied unless both match. */
  private check(db: unknown, uid: unknown, password: unknown): number {
    this.checkDb(db);
    const n = typeof uid === 'number' ? uid : typeof uid === 'string' && /^\s*-?\d+\s*$/.test(uid) ? Number(uid) : NaN;
    if (Number.isNaN(n)) {
      if (uid === false || uid === null || uid === undefined) throw accessDenied();
      throw valueError(`invalid literal for int() with base 10: ${pyRepr(uid)}`);
    }
    if (n !== ADMIN_UID || (password !== this.config.password && password !== this.config.apiKey)) throw accessDenied();
    return n;
  }

  /** `object` service: execute_kw(db, uid, password, model, method, args, kwargs) and execute(...). */
  object(method: string, params: unknown[]): unknown {
    if (method !== 'execute_kw' && method !== 'execute') throw new OdooError('NameError', `Method not available ${method}`);
    const [db, uid, password, model, name] = params;
    const userId = this.check(db, uid, password);
    if (typeof model !== 'string' || typeof name !== 'string') throw typeError('execute_kw() arguments model and method must be strings');
    let args: unknown[];
    let kwargs: Record<string, unknown>;
    if (method === 'execute_kw') {
      const rawArgs = params[5];
      const rawKw = params[6];
      if (rawArgs !== undefined && !Array.isArray(rawArgs)) throw typeError(`odoo.service.model.execute() argument after * must be an iterable, not ${pyType(rawArgs)}`);
      if (rawKw !== undefined && rawKw !== null && rawKw !== false && (typeof rawKw !== 'object' || Array.isArray(rawKw))) {
        throw typeError(`odoo.service.model.execute() argument after ** must be a mapping, not ${pyType(rawKw)}`);
      }
      args = rawArgs ?? [];
      kwargs = (rawKw as Record<string, unknown> | undefined) || {};
    } else {
      args = params.slice(5);
      kwargs = {};
    }
    return this.call(userId, model, name, args, kwargs);
  }

  /** One model method call in its own transaction (execute_cr + call_kw). */
  call(uid: number, model: string, name: string, args: unknown[], kwargs: Record<string, unknown>): unknown {
    const { context, rest } = splitContext(kwargs);
    const env = this.env(uid, context);
    const def = env.modelDef(model);
    const method = resolveMethod(def, name, 'rpc');
    const bound = bindRpc(def, name, method, args, rest);
    return this.store.transaction(() => method.run(env, bound.ids, bound.kw, { model, api: 'rpc' }));
  }

  /** JSON-2: bearer key, named arguments, `ids` and `context` in the body. */
  json2(authorization: string | undefined, model: string, name: string, body: Record<string, unknown>): unknown {
    const m = /^bearer\s+(.+)$/i.exec(authorization ?? '');
    if (!m || m[1]!.trim() !== this.config.apiKey) throw httpError('Unauthorized', 'User not authenticated, use the "Authorization" header');
    const def = this.store.model(model);
    if (!def) throw httpError('NotFound', `the model ${pyRepr(model)} does not exist`);
    const { ids: rawIds, context, ...kwargs } = body;
    const ids = Array.isArray(rawIds) ? rawIds.filter((x): x is number => typeof x === 'number') : [];
    const env = this.env(ADMIN_UID, (context && typeof context === 'object' ? context : {}) as Context);
    const method = resolveMethod(def, name, 'json2');
    const bound = bindJson2(def, name, method, ids, kwargs);
    return this.store.transaction(() => method.run(env, bound.ids, bound.kw, { model, api: 'json2' }));
  }

  private env(uid: number, context: Context): Env {
    let now = this.clock.nowUs();
    const late = Number(context[LATE_COMMIT_KEY] ?? 0);
    if (Number.isFinite(late) && late > 0) now -= Math.round(late * 1e6);
    return new Env(this.store, uid, { lang: 'en_US', tz: 'UTC', ...context }, now);
  }
}

function splitContext(kwargs: Record<string, unknown>): { context: Context; rest: Record<string, unknown> } {
  const { context, ...rest } = kwargs;
  return { context: context && typeof context === 'object' && !Array.isArray(context) ? (context as Context) : {}, rest };
}

function pyType(v: unknown): string {
  if (v === null) return 'NoneType';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}
