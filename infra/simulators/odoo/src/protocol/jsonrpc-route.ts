import type { Request, Response } from 'express';
import type { FaultState } from '../admin/fault-injection.js';
import { OdooError, toOdooError, typeError } from '../errors.js';
import type { OdooService } from '../rpc-service.js';
import { answer, werkzeugPage } from './http-answers.js';
import { toJson } from './json-body.js';
import { readJsonRpcEnvelope } from './jsonrpc-envelope.js';

const JSON_TYPES = ['application/json', 'application/json-rpc'];

function mimetype(req: Request): string {
  return String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
}

/** Odoo's JSON-RPC error envelope (http.py JsonRPCDispatcher.handle_error + serialize_exception). */
export function jsonRpcError(id: unknown, e: OdooError): Record<string, unknown> {
  return {
    jsonrpc: '2.0',
    id: id ?? null,
    error: {
      code: 200,
      message: 'Odoo Server Error',
      data: { name: e.info.pyName, debug: e.traceback(), message: e.message, arguments: e.args, context: {} },
    },
  };
}

/** Parses the JSON-RPC envelope; answers 415/400 itself and returns null when the request is not JSON-RPC. */
function readEnvelope(req: Request, res: Response, route: string, faults: FaultState, maxJsonDepth: number): Record<string, unknown> | null {
  if (!JSON_TYPES.includes(mimetype(req))) {
    const msg = `Request inferred type is compatible with ['http'] but '${route}' is type='json'.\n\nPlease verify the Content-Type request header and try again.`;
    res.set('Accept', JSON_TYPES.join(', '));
    answer(res, 415, 'text/html; charset=utf-8', werkzeugPage(415, 'Unsupported Media Type', msg), faults);
    return null;
  }
  const reading = readJsonRpcEnvelope(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '', maxJsonDepth);
  if (reading.ok) return reading.envelope;
  answer(res, reading.status, 'text/html; charset=utf-8', reading.message, faults);
  return null;
}

/** POST /jsonrpc: {"method":"call","params":{"service","method","args"}}; a body nested deeper than `maxJsonDepth` is a 400. */
export function handleJsonRpc(service: OdooService, faults: FaultState, maxJsonDepth: number) {
  return (req: Request, res: Response): void => {
    const envelope = readEnvelope(req, res, '/jsonrpc', faults, maxJsonDepth);
    if (!envelope) return;
    const id = envelope.id;
    let payload: Record<string, unknown>;
    try {
      const params = (envelope.params ?? {}) as Record<string, unknown>;
      if (typeof params !== 'object' || Array.isArray(params))
        throw typeError('JSONRPC.jsonrpc() argument after ** must be a mapping, not list');
      for (const k of ['service', 'method', 'args'] as const) {
        if (!(k in params)) throw typeError(`RPC.jsonrpc() missing 1 required positional argument: '${k}'`);
      }
      const args = Array.isArray(params.args) ? params.args : [];
      const svc = String(params.service);
      const method = String(params.method);
      let result: unknown;
      if (svc === 'common') result = service.common(method, args);
      else if (svc === 'object') result = service.object(method, args);
      else if (svc === 'db') result = service.dbService(method);
      else throw new OdooError('KeyError', `'${svc}'`);
      payload = { jsonrpc: '2.0', id: id ?? null, result: result ?? null };
    } catch (err) {
      payload = jsonRpcError(id, toOdooError(err));
    }
    answer(res, 200, 'application/json', toJson(payload), faults);
  };
}

/** POST /web/webclient/version_info (type='json'): the version dict, no auth. */
export function handleVersionInfo(service: OdooService, faults: FaultState, maxJsonDepth: number) {
  return (req: Request, res: Response): void => {
    const envelope = readEnvelope(req, res, '/web/webclient/version_info', faults, maxJsonDepth);
    if (!envelope) return;
    answer(res, 200, 'application/json', toJson({ jsonrpc: '2.0', id: envelope.id ?? null, result: service.version() }), faults);
  };
}
