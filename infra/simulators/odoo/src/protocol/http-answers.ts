import type { Response } from 'express';
import type { FaultState } from '../admin/fault-injection.js';

/** Sends a body, cutting it in half when the truncated-JSON fault is on for this request. */
export function answer(res: Response, status: number, contentType: string, body: string, faults: FaultState): void {
  let out = body;
  if (faults.truncatedJson && Math.random() < faults.rate && (contentType.includes('json') || contentType.includes('xml'))) {
    out = body.slice(0, Math.max(1, Math.floor(body.length / 2)));
  }
  res.status(status).set('Content-Type', contentType).send(Buffer.from(out, 'utf8'));
}

export function werkzeugPage(code: number, title: string, description: string): string {
  const esc = description.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&#x27;').replace(/"/g, '&#34;');
  return `<!doctype html>\n<html lang=en>\n<title>${code} ${title}</title>\n<h1>${title}</h1>\n<p>${esc}</p>\n`;
}
