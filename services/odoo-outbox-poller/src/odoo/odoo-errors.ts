import { PermanentError, TransientError, type OdxError } from '@odx/runtime';

/** The `error.data` object of an Odoo JSON-RPC error (what odoo/http.py serialises). */
export interface OdooErrorData {
  name?: string;
  message?: string;
  debug?: string;
  arguments?: unknown[];
}

/**
 * Odoo exception classes whose repetition cannot help: access rules, validation,
 * user errors, missing records, bad domains. Everything else (serialisation
 * failures under concurrent writes, worker restarts) is worth retrying.
 */
const PERMANENT: Array<[RegExp, string]> = [
  [/AccessDenied/, 'odoo.access-denied'],
  [/AccessError/, 'odoo.access'],
  [/ValidationError/, 'odoo.validation'],
  [/UserError|Warning|RedirectWarning/, 'odoo.user-error'],
  [/MissingError/, 'odoo.missing-record'],
  [/ValueError|KeyError|TypeError|AttributeError/, 'odoo.invalid-request'],
];

const TRANSIENT = /SerializationFailure|TransactionRollbackError|LockNotAvailable|OperationalError|InterfaceError|PoolError/;

/** Maps an Odoo fault (by exception class name) to an ODX error with a machine-readable class. */
export function classifyOdooFault(data: OdooErrorData | undefined, fallbackMessage: string): OdxError {
  const name = data?.name ?? '';
  const message = data?.message || fallbackMessage;
  const text = `Odoo ${name || 'error'}: ${message}`;
  if (TRANSIENT.test(name)) return new TransientError(text, { errorClass: 'odoo.concurrency' });
  for (const [pattern, errorClass] of PERMANENT) if (pattern.test(name)) return new PermanentError(text, { errorClass });
  return new PermanentError(text, { errorClass: 'odoo.server-error' });
}
