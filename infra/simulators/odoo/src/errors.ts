/**
 * Odoo exceptions as the external API reports them. Each error knows how it
 * is rendered by the three protocols, so the transports never branch on
 * classes: XML-RPC fault code (odoo/addons/base/controllers/rpc.py,
 * xmlrpc_handle_exception_int), JSON-RPC `data.name` (odoo.http
 * serialize_exception) and the JSON-2 HTTP status (exception `http_code`).
 */
export type OdooErrorKind =
  | 'AccessDenied'
  | 'AccessError'
  | 'UserError'
  | 'ValidationError'
  | 'MissingError'
  | 'ValueError'
  | 'TypeError'
  | 'KeyError'
  | 'AssertionError'
  | 'AttributeError'
  | 'NameError'
  | 'OperationalError'
  | 'ExpatError'
  | 'EntitiesForbidden'
  | 'IndexError'
  | 'BadRequest'
  | 'Unauthorized'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'UnprocessableEntity';

interface KindInfo {
  /** Fully qualified Python name as serialize_exception prints it. */
  pyName: string;
  /** XML-RPC v2 fault code; 1 means "application error" with a traceback string. */
  faultCode: 1 | 2 | 3 | 4;
  /** HTTP status on the JSON-2 API. */
  httpStatus: number;
}

const KINDS: Record<OdooErrorKind, KindInfo> = {
  AccessDenied: { pyName: 'odoo.exceptions.AccessDenied', faultCode: 3, httpStatus: 403 },
  AccessError: { pyName: 'odoo.exceptions.AccessError', faultCode: 4, httpStatus: 403 },
  UserError: { pyName: 'odoo.exceptions.UserError', faultCode: 2, httpStatus: 422 },
  ValidationError: { pyName: 'odoo.exceptions.ValidationError', faultCode: 2, httpStatus: 422 },
  MissingError: { pyName: 'odoo.exceptions.MissingError', faultCode: 2, httpStatus: 404 },
  ValueError: { pyName: 'builtins.ValueError', faultCode: 1, httpStatus: 500 },
  TypeError: { pyName: 'builtins.TypeError', faultCode: 1, httpStatus: 500 },
  KeyError: { pyName: 'builtins.KeyError', faultCode: 1, httpStatus: 500 },
  AssertionError: { pyName: 'builtins.AssertionError', faultCode: 1, httpStatus: 500 },
  AttributeError: { pyName: 'builtins.AttributeError', faultCode: 1, httpStatus: 404 },
  NameError: { pyName: 'builtins.NameError', faultCode: 1, httpStatus: 500 },
  OperationalError: { pyName: 'psycopg2.OperationalError', faultCode: 1, httpStatus: 500 },
  ExpatError: { pyName: 'xml.parsers.expat.ExpatError', faultCode: 1, httpStatus: 400 },
  EntitiesForbidden: { pyName: 'defusedxml.common.EntitiesForbidden', faultCode: 1, httpStatus: 400 },
  IndexError: { pyName: 'builtins.IndexError', faultCode: 1, httpStatus: 500 },
  BadRequest: { pyName: 'werkzeug.exceptions.BadRequest', faultCode: 1, httpStatus: 400 },
  Unauthorized: { pyName: 'werkzeug.exceptions.Unauthorized', faultCode: 1, httpStatus: 401 },
  NotFound: { pyName: 'werkzeug.exceptions.NotFound', faultCode: 1, httpStatus: 404 },
  MethodNotAllowed: { pyName: 'werkzeug.exceptions.MethodNotAllowed', faultCode: 1, httpStatus: 405 },
  UnprocessableEntity: { pyName: 'werkzeug.exceptions.UnprocessableEntity', faultCode: 1, httpStatus: 422 },
};

export class OdooError extends Error {
  readonly kind: OdooErrorKind;
  /** Python `exception.args`, as JSON-RPC `data.arguments` shows them. */
  readonly args: unknown[];

  constructor(kind: OdooErrorKind, message: string, args?: unknown[]) {
    super(message);
    this.name = kind;
    this.kind = kind;
    this.args = args ?? [message];
  }

  get info(): KindInfo {
    return KINDS[this.kind];
  }

  /** Short class name as Python prints it at the end of a traceback. */
  get pyShortName(): string {
    const full = this.info.pyName;
    return full.startsWith('builtins.') ? full.slice('builtins.'.length) : full;
  }

  /** What XML-RPC puts in faultString: the message, or a traceback for code 1. */
  faultString(): string {
    if (this.kind === 'AccessDenied') return this.message;
    if (this.info.faultCode !== 1) return this.message;
    return this.traceback();
  }

  /** A traceback shaped like the one Odoo sends (the frames are representative, not real). */
  traceback(): string {
    return [
      'Traceback (most recent call last):',
      '  File "/usr/lib/python3/dist-packages/odoo/addons/base/controllers/rpc.py", line 150, in xmlrpc_2',
      '    response = self._xmlrpc(service)',
      '  File "/usr/lib/python3/dist-packages/odoo/http.py", line 368, in dispatch_rpc',
      '    return dispatch(method, params)',
      '  File "/usr/lib/python3/dist-packages/odoo/service/model.py", line 41, in execute_kw',
      '    return execute(db, uid, obj, method, *args, **kw or {})',
      `${this.pyShortName}: ${this.message}`,
      '',
    ].join('\n');
  }
}

/** werkzeug HTTPExceptions carry (description, code) as their args. */
export function httpError(kind: 'BadRequest' | 'Unauthorized' | 'NotFound' | 'MethodNotAllowed' | 'UnprocessableEntity', message: string): OdooError {
  return new OdooError(kind, message, [message, KINDS[kind].httpStatus]);
}

export const accessDenied = (): OdooError => new OdooError('AccessDenied', 'Access Denied');
export const userError = (message: string): OdooError => new OdooError('UserError', message);
export const accessError = (message: string): OdooError => new OdooError('AccessError', message);
export const valueError = (message: string): OdooError => new OdooError('ValueError', message);
export const typeError = (message: string): OdooError => new OdooError('TypeError', message);
export const validationError = (message: string): OdooError => new OdooError('ValidationError', message);

export function missingError(model: string, ids: number[], uid: number): OdooError {
  return new OdooError(
    'MissingError',
    `Record does not exist or has been deleted.\n(Record: ${model}(${ids.join(', ')}${ids.length === 1 ? ',' : ''}), User: ${uid})`,
  );
}

/** Wraps anything thrown inside a handler so transports only deal with OdooError. */
export function toOdooError(err: unknown): OdooError {
  if (err instanceof OdooError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new OdooError('ValueError', message);
}
