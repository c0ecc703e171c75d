import { after, before } from 'node:test';
import { startOdooSimulator, type OdooSimulator } from '../../src/index.js';
import type { OdooSimulatorOptions } from '../../src/options.js';
import { encodeMethodCall, parseMethodResponse } from '../../src/protocol/xmlrpc-codec.js';

export interface SimHandle {
  (): OdooSimulator;
  /** Resolves once the simulator listens (use it in other `before` hooks). */
  ready(): Promise<OdooSimulator>;
}

/** Starts one simulator for the test file (port 0) and closes it afterwards. */
export function useSimulator(options: OdooSimulatorOptions = {}): SimHandle {
  let sim: OdooSimulator | undefined;
  let starting: Promise<OdooSimulator> | undefined;
  const ready = (): Promise<OdooSimulator> => {
    starting ??= startOdooSimulator({ port: 0, ...options }).then((s) => (sim = s));
    return starting;
  };
  before(async () => {
    await ready();
  });
  after(async () => {
    await (await ready()).close();
  });
  const handle = (() => {
    if (!sim) throw new Error('simulator not started');
    return sim;
  }) as SimHandle;
  handle.ready = ready;
  return handle;
}

export interface JsonRpcAnswer {
  result?: unknown;
  error?: { code: number; message: string; data: { name: string; message: string; arguments: unknown[]; debug: string } };
}

export async function jsonRpc(url: string, service: string, method: string, args: unknown[]): Promise<JsonRpcAnswer> {
  const res = await fetch(`${url}/jsonrpc`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service, method, args }, id: 1 }),
  });
  return (await res.json()) as JsonRpcAnswer;
}

/** execute_kw over JSON-RPC as admin; throws with the Odoo error name + message on an error. */
export async function executeKw<T = unknown>(url: string, model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<T> {
  const answer = await jsonRpc(url, 'object', 'execute_kw', ['odx', 2, 'admin', model, method, args, kwargs]);
  if (answer.error) throw new Error(`${answer.error.data.name}: ${answer.error.data.message}`);
  return answer.result as T;
}

export async function xmlRpc(url: string, path: string, method: string, params: unknown[]): Promise<ReturnType<typeof parseMethodResponse>> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: encodeMethodCall(method, params) });
  return parseMethodResponse(await res.text());
}

export async function admin(url: string, path: string, body?: unknown, method = 'POST'): Promise<Response> {
  return fetch(`${url}/sim/admin${path}`, {
    method,
    headers: { Authorization: 'Bearer sim-admin', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
