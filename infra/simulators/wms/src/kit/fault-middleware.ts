import type { RequestHandler, Response } from 'express';
import type { FaultController } from './faults.js';
import { problem, sendProblem } from './problem.js';
import { anyRouteMatches, RoutePattern } from './route-pattern.js';
import { sleep } from './timers.js';

function failWith(res: Response, status: 500 | 503 | 429, retryAfterSeconds: number, detail: string): void {
  const code = status === 429 ? 'rate_limited' : status === 503 ? 'service_unavailable' : 'internal_error';
  const headers: Record<string, string> = status === 500 ? {} : { 'Retry-After': String(retryAfterSeconds) };
  sendProblem(res, problem(status, code, detail), headers);
}

/**
 * Latency, downtime windows and injected errors, applied before the body is
 * even read, the way a gateway in front of a real API fails.
 */
export function injectTransportFaults(faults: FaultController): RequestHandler {
  return async (req, res, next) => {
    const { latency, errors, failNext } = faults.config;
    const delay = latency.fixedMs + (latency.jitterMs > 0 ? Math.floor(faults.random() * (latency.jitterMs + 1)) : 0);
    if (delay > 0) {
      faults.count('latency');
      await sleep(delay);
    }
    const path = req.baseUrl + req.path;
    const down = faults.activeDowntime();
    if (down !== undefined) {
      faults.count('downtime');
      const retryAfter = Math.max(1, Math.ceil((down.to.getTime() - Date.now()) / 1000));
      failWith(res, 503, retryAfter, `Scheduled downtime until ${down.to.toISOString()}`);
      return;
    }
    if (failNext.count > 0 && anyRouteMatches(failNext.routes, req.method, path)) {
      failNext.count -= 1;
      faults.count('errors');
      failWith(res, failNext.status, failNext.retryAfterSeconds, 'Injected failure (failNext)');
      return;
    }
    if (errors.rate > 0 && anyRouteMatches(errors.routes, req.method, path) && faults.random() < errors.rate) {
      const status = errors.statuses[Math.floor(faults.random() * errors.statuses.length)] ?? 503;
      faults.count('errors');
      failWith(res, status, errors.retryAfterSeconds, 'Injected failure (error rate)');
      return;
    }
    next();
  };
}

/** Values at a dotted path in which `*` or `[]` walks an array: `lines.*.sku`. */
export function valuesAt(body: unknown, field: string): Array<{ path: string; value: unknown }> {
  const segments = field.replace(/\[\]/g, '.*').split('.').filter((s) => s !== '');
  let frontier: Array<{ path: string; value: unknown }> = [{ path: '', value: body }];
  for (const segment of segments) {
    const nextFrontier: Array<{ path: string; value: unknown }> = [];
    for (const { path, value } of frontier) {
      if (segment === '*') {
        if (Array.isArray(value)) value.forEach((item, i) => nextFrontier.push({ path: `${path}[${i}]`, value: item }));
      } else if (typeof value === 'object' && value !== null && Object.hasOwn(value, segment)) {
        nextFrontier.push({ path: path === '' ? segment : `${path}.${segment}`, value: (value as Record<string, unknown>)[segment] });
      }
    }
    frontier = nextFrontier;
  }
  return frontier;
}

/** Refuses bodies carrying a value an admin marked as unacceptable (e.g. an unknown SKU). */
export function injectRejections(faults: FaultController): RequestHandler {
  return (req, res, next) => {
    const path = req.baseUrl + req.path;
    for (const rule of faults.config.rejections) {
      if (!new RoutePattern(rule.route).matches(req.method, path)) continue;
      const hits = valuesAt(req.body, rule.field).filter(({ value }) => rule.values.some((v) => v === value));
      if (hits.length === 0) continue;
      faults.count('rejections');
      const errors = hits.map(({ path: field, value }) => ({ field, message: `${rule.message}: ${String(value)}`, code: 'rejected_value' }));
      const code = rule.status === 422 ? 'validation_failed' : 'rejected';
      sendProblem(res, problem(rule.status, code, rule.message, errors));
      return;
    }
    next();
  };
}

/**
 * Lets the handler do its work, then loses the answer: the client times out
 * (or sees a reset) although the effect happened, as with a real API whose
 * response was lost. Open sockets are destroyed by the server's close().
 */
export function injectLostResponses(faults: FaultController): RequestHandler {
  return (req, res, next) => {
    const rule = faults.config.timeoutButSucceed;
    const path = req.baseUrl + req.path;
    if (rule.routes.length === 0 || !anyRouteMatches(rule.routes, req.method, path)) {
      next();
      return;
    }
    if (rule.count !== null) {
      if (rule.count <= 0) {
        next();
        return;
      }
      rule.count -= 1;
    }
    faults.count('timeoutButSucceed');
    const send = res.send.bind(res);
    const { mode, lateMs } = rule;
    res.send = (body?: unknown) => {
      if (mode === 'late') {
        setTimeout(() => {
          if (!res.writableEnded && !res.destroyed) send(body);
        }, lateMs).unref();
      } else if (mode === 'reset') req.socket.destroy();
      // 'hang': the answer is never written.
      return res;
    };
    next();
  };
}

/**
 * Lets the handler do its work, then damages the answer on its way out while
 * keeping its status: the first half of the body (`truncated`), or a gateway's
 * HTML page (`html`). Clients must treat such a 200 as an unreadable answer.
 */
export function injectMalformedResponses(faults: FaultController): RequestHandler {
  return (req, res, next) => {
    const rule = faults.config.malformedResponses;
    const path = req.baseUrl + req.path;
    if (rule.routes.length === 0 || !anyRouteMatches(rule.routes, req.method, path)) {
      next();
      return;
    }
    if (rule.count !== null) {
      if (rule.count <= 0) {
        next();
        return;
      }
      rule.count -= 1;
    }
    faults.count('malformedResponses');
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      if (rule.mode === 'html') {
        res.type('text/html');
        return send('<html><head><title>Gateway</title></head><body><h1>Welcome</h1><p>The upstream answered through a misconfigured gateway.</p></body></html>');
      }
      const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : JSON.stringify(body ?? null);
      return send(text.slice(0, Math.ceil(text.length / 2)));
    };
    next();
  };
}
