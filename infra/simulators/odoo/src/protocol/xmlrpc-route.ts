import type { Request, Response } from 'express';
import type { FaultState } from '../admin/fault-injection.js';
import { OdooError, toOdooError } from '../errors.js';
import type { OdooService } from '../rpc-service.js';
import { answer } from './http-answers.js';
import { encodeFault, encodeResponse, parseMethodCall } from './xmlrpc-codec.js';

/**
 * /xmlrpc/2/<service> (integer fault codes) and the legacy /xmlrpc/<service>
 * (string fault codes), as odoo/addons/base/controllers/rpc.py serves them.
 * A call nesting more than `maxDepth` arrays/structs is a ValueError fault.
 */
export function handleXmlRpc(service: OdooService, faults: FaultState, legacy: boolean, maxDepth: number) {
  return (req: Request, res: Response): void => {
    let body: string;
    try {
      const xml = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
      if (xml.trim() === '') throw new OdooError('ExpatError', 'no element found: line 1, column 0');
      const call = parseMethodCall(xml, maxDepth);
      const svc = String(req.params.service);
      let result: unknown;
      if (svc === 'common') result = service.common(call.methodName, call.params);
      else if (svc === 'object') result = service.object(call.methodName, call.params);
      else if (svc === 'db') result = service.dbService(call.methodName);
      else throw new OdooError('KeyError', `'${svc}'`);
      // Odoo marshals with allow_none=False: a method returning None is a fault, after commit.
      body = encodeResponse(result, false);
    } catch (err) {
      body = legacy ? legacyFault(toOdooError(err)) : intFault(toOdooError(err));
    }
    answer(res, 200, 'text/xml; charset=utf-8', body, faults);
  };
}

function intFault(e: OdooError): string {
  return encodeFault(e.info.faultCode, e.faultString());
}

function legacyFault(e: OdooError): string {
  switch (e.kind) {
    case 'MissingError':
      return encodeFault(`warning -- MissingError\n\n${e.message}`, '');
    case 'AccessError':
      return encodeFault(`warning -- AccessError\n\n${e.message}`, '');
    case 'AccessDenied':
      return encodeFault('AccessDenied', e.message);
    case 'UserError':
    case 'ValidationError':
      return encodeFault(`warning -- UserError\n\n${e.message}`, '');
    default:
      return encodeFault(e.message, e.traceback());
  }
}

export function handleXmlRpcGet(_req: Request, res: Response): void {
  res.status(405).set('Allow', 'POST').type('text/html; charset=utf-8').send(
    '<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n',
  );
}
