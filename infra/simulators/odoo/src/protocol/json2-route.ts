import { MAX_JSON_DEPTH, jsonDepthExceeds } from '@odx/runtime/http';
import type { Request, Response } from 'express';
import type { FaultState } from '../admin/fault-injection.js';
import { OdooError, httpError, toOdooError } from '../errors.js';
import type { OdooService } from '../rpc-service.js';
import { answer, werkzeugPage } from './http-answers.js';
import { jsonErrorMessage, toJson } from './json-body.js';

const CT = 'application/json; charset=utf-8';

/** POST /json/2/<model>/<method> (Odoo 19 External JSON-2 API). */
export function handleJson2(service: OdooService, faults: FaultState) {
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
      let body: Record<string, unknown> = {};
      if (raw.length > 0) {
        if (jsonDepthExceeds(raw, MAX_JSON_DEPTH))
          throw httpError('BadRequest', `could not parse the body as json: nested deeper than ${MAX_JSON_DEPTH} levels`);
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch (err) {
          throw httpError('BadRequest', `could not parse the body as json: ${jsonErrorMessage(raw, err)}`);
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw httpError('BadRequest', 'could not parse the body, expecting a json object');
        body = parsed as Record<string, unknown>;
      }
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
