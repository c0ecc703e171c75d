import type { RequestHandler, Response } from 'express';
import { HttpProblem } from '../http/problem.js';
import type { Principal } from '../auth/tokens.js';
import type { Logger } from '../logging/logger.js';
import type { AuditLog } from './audit-log.js';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Audits every state-changing call (any method but GET/HEAD/OPTIONS) of an
 * authenticated router: the entry (who, what, when) is written before the
 * route runs — if it cannot be written, the call is refused with 503 and has
 * no effect — and its outcome is written before the answer leaves (the
 * response's `end` waits for it). Routes that stream with `res.write` before
 * `end` report their status first; no state-changing route does.
 */
export function auditCalls(audit: AuditLog, service: string, logger: Logger): RequestHandler {
  return (req, res, next) => {
    if (READS.has(req.method)) return next();
    const p = res.locals['principal'] as Principal | undefined;
    if (!p) return next();
    const target = req.path.slice(0, 500);
    audit
      .record({
        service,
        actor: p.subject,
        role: p.role,
        actorKind: p.keyId ? 'service' : 'person',
        ...(p.keyId ? { keyId: p.keyId } : {}),
        action: `${req.method} ${target}`,
        target,
        outcome: 'pending',
        count: 0,
        details: {},
      })
      .then(
        (entry) => {
          holdAnswerUntilAudited(res, (status, action) =>
            audit
              .complete(entry._id, status < 400 ? 'succeeded' : status < 500 ? 'refused' : 'failed', status, action)
              .catch((err: unknown) => void logger.error('audit outcome not written', { audit_id: entry._id, err })),
          );
          next();
        },
        (err: unknown) => {
          logger.error('audit entry not written; call refused', { method: req.method, path: req.path, err });
          next(new HttpProblem(503, 'Service Unavailable', 'the audit trail cannot be written; nothing was done, retry later'));
        },
      );
  };
}

function holdAnswerUntilAudited(res: Response, complete: (status: number, action: string | undefined) => Promise<void>): void {
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  let held = false;
  // express' send/json end the response through res.end; the headers are not written until the original end runs.
  (res as unknown as { end: (...args: unknown[]) => Response }).end = (...args: unknown[]) => {
    if (held) return end(...args);
    held = true;
    const route = (res.req.route as { path?: string } | undefined)?.path;
    void complete(res.statusCode, route === undefined ? undefined : `${res.req.method} ${res.req.baseUrl}${route}`).finally(() =>
      end(...args),
    );
    return res;
  };
}
