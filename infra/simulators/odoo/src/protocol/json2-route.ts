import type { Request, Response } from 'express';
import type { FaultState } from '../admin/fault-injection.js';
import { OdooError, httpError, toOdooError } from '../errors.js';
import type { OdooService } from '../rpc-service.js';
import { answer, werkzeugPage } from './http-answers.js';
import { toJson } from './json-body.js';
import { readJson2Body } from './json2-body.js';

const CT = 'application/json; charset=utf-8';

/** POST /json/2/<model>/<method> (Odoo 19 External JSON-2 API); a body nested deeper than `maxJsonDepth` is a 400. */
export function handleJson2(service: OdooService, faults: FaultState, maxJsonDepth: number) {
  return (req: Request, res: Response): void => {
    const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const mimetype = String(req.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    if (mimetype !== 'application/json' && raw.length > 0) {
      const msg = `Request inferred type is compatible with ['http'] but '/json/2/<model>/<method>' is type='/json/2/rpc'.\n\nPlease verify the Content-Type request header and try again.`;
      res.set('Accept', 'application/json');
      answer(res, 415, 'text/html; charset=utf-8', werkzeugPage(415, 'Unsupported Media Type', msg), faults);
      return;
    }
    try {
      if (req.method !== 'POST') throw httpError('MethodNotAllowed', 'The method is not allowed for the requested URL.');
      const body = readJson2Body(raw, maxJsonDepth);
      const result = service.json2(req.headers.authorization, String(req.params.model), String(req.params.method), body);
      answer(res, 200, CT, toJson(result ?? null), faults);
    } catch (err) {
      const e = toOdooError(err);
      if (e.kind === 'Unauthorized') res.set('WWW-Authenticate', 'bearer');
      answer(res, e.info.httpStatus, CT, toJson(json2Error(e)), faults);
    }
  };
}

export function json2Error(e: OdooError): Record<string, unknown> {
  const http = ['BadRequest', 'Unauthorized', 'NotFound', 'MethodNotAllowed', 'UnprocessableEntity'].includes(e.kind);
  return { name: e.info.pyName, message: e.message, arguments: e.args, context: {}, debug: http ? '' : e.traceback() };
}
