import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Request } from 'express';
import { HttpProblem, requireRole, type HttpApp } from '@odx/runtime';
import { z } from 'zod';
import type { InboundProcessor } from '../inbound/inbound-processor.js';
import type { PartnerDirectory } from '../partners/partner-profile.js';
import type { DocumentStore } from '../store/document-store.js';

export interface EdiRoutesOptions {
  partners: PartnerDirectory;
  processor: InboundProcessor;
  documents: DocumentStore;
  maxBytes: number;
  env: NodeJS.ProcessEnv;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
/** Constant-time comparison (of digests, so lengths never leak). */
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function bearer(req: Request): string | null {
  const h = req.headers.authorization;
  const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m ? m[1]! : null;
}

const unauthorized = (): HttpProblem => new HttpProblem(401, 'Unauthorized', 'a valid bearer token is required');

const listQuery = z.object({
  partner: z
    .string()
    .regex(/^[a-z0-9-]+$/)
    .optional(),
  status: z
    .enum(['accepted', 'accepted_with_errors', 'rejected', 'built', 'sent', 'acknowledged', 'ack_rejected', 'ack_overdue'])
    .optional(),
  type: z
    .string()
    .regex(
      /^(\d{3}|TA1|ISA|UNB|ORDERS|CONTRL|DESADV|INVOIC)$/,
      'a transaction set such as 850, or TA1, ISA, UNB, ORDERS, CONTRL, DESADV, INVOIC',
    )
    .optional(),
  direction: z.enum(['in', 'out']).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
});

/**
 * POST /v1/edi/:partnerId (the partner's bearer token; the body is the X12
 * interchange as sent) and GET /v1/edi/documents?partner=&status=&type=
 * (a partner's token for its own documents, else the runtime's access control:
 * role viewer). Partner routes are on `ownCredentials`.
 */
export function mountEdiRoutes(http: HttpApp, o: EdiRoutesOptions): void {
  const partnerToken = (partnerId: string): string | null => {
    const env = o.partners.get(partnerId)?.transport.http.inboundTokenEnv;
    const token = env ? o.env[env] : undefined;
    return token && token.length >= 16 ? token : null;
  };

  const listDocuments = async (query: unknown, ownPartner: string | null): Promise<unknown> => {
    const q = listQuery.parse(query);
    if (ownPartner && q.partner && q.partner !== ownPartner)
      throw new HttpProblem(403, 'Forbidden', 'a partner token lists only its own documents');
    const partner = ownPartner ?? q.partner;
    const docs = await o.documents.list({ partner, status: q.status, type: q.type, direction: q.direction, limit: q.limit });
    return { documents: docs.map(({ _id, ...rest }) => ({ documentId: _id, ...rest })) };
  };

  // A partner's own token lists its own documents (partner credentials, checked here); any other caller falls
  // through to the runtime-authenticated route below (a person's JWT or a service-account key, role viewer).
  http.ownCredentials.get('/v1/edi/documents', async (req, res, next) => {
    const token = bearer(req);
    const own = token
      ? o.partners.all().find((p) => {
          const t = partnerToken(p.id);
          return t !== null && sameSecret(token, t);
        })
      : undefined;
    if (!own) return next();
    res.json(await listDocuments(req.query, own.id));
  });
  http.api.get('/v1/edi/documents', requireRole('viewer'), async (req, res) => {
    res.json(await listDocuments(req.query, null));
  });

  // The token is checked before any body is read (the runtime's JSON parser included): an unauthenticated client
  // cannot make the gateway buffer 5 MB.
  const authenticate: express.RequestHandler = (req, _res, next) => {
    const expected = partnerToken(String(req.params['partnerId']));
    const token = bearer(req);
    // Unknown partner, partner without HTTP, missing or wrong token: all the same 401.
    if (!expected || !token || !sameSecret(token, expected)) throw unauthorized();
    next();
  };
  http.ownCredentials.post('/v1/edi/:partnerId', authenticate, express.raw({ type: () => true, limit: o.maxBytes }), async (req, res) => {
    const partnerId = String(req.params['partnerId']);
    // No JSON parser runs on partner routes: a JSON content type is refused by name, as before.
    if (!Buffer.isBuffer(req.body) || req.is('application/json'))
      throw new HttpProblem(415, 'Unsupported Media Type', 'send the X12 interchange as the raw body (e.g. application/edi-x12), not JSON');
    const result = await o.processor.process(req.body, {
      transport: 'http',
      fileName: typeof req.headers['x-edi-file-name'] === 'string' ? req.headers['x-edi-file-name'].slice(0, 200) : null,
      expectedPartnerId: partnerId,
    });
    const status = result.status === 'duplicate' ? 409 : result.status === 'rejected' ? 422 : 200;
    res.status(status).json(result);
  });
}
