import { randomUUID } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PermanentError, TransientError, errorMessage } from '@odx/runtime';
import type { PartnerProfile } from '../partners/partner-profile.js';
import { partnerFolder } from './folder-layout.js';

export interface DeliveryOptions {
  folderRoot: string;
  env: NodeJS.ProcessEnv;
  /** @default 15000 */
  httpTimeoutMs?: number;
}

/** Puts a document where the partner picks it up: its outbound folder (atomic rename) and/or its HTTP endpoint. */
export class Delivery {
  constructor(private readonly options: DeliveryOptions) {}

  /** Returns the transports used, e.g. "folder" or "folder+http". */
  async deliver(profile: PartnerProfile, fileName: string, content: string): Promise<string> {
    const used: string[] = [];
    if (profile.transport.folder.enabled) {
      const dir = partnerFolder(this.options.folderRoot, profile, 'outbound');
      const tmp = join(dir, `.${fileName}.${randomUUID().slice(0, 8)}.tmp`);
      await writeFile(tmp, content, { flush: true });
      await rename(tmp, join(dir, fileName));
      used.push('folder');
    }
    const url = profile.transport.http.outboundUrl;
    if (url) {
      const tokenEnv = profile.transport.http.outboundTokenEnv;
      const token = tokenEnv ? this.options.env[tokenEnv] : undefined;
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/edi-x12',
            'x-edi-file-name': fileName,
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: content,
          signal: AbortSignal.timeout(this.options.httpTimeoutMs ?? 15_000),
        });
      } catch (err) {
        throw new TransientError(`POST to ${profile.id} failed: ${errorMessage(err)}`, {
          errorClass: 'edi.delivery-unavailable',
          cause: err,
        });
      }
      if (res.status >= 500 || res.status === 429)
        throw new TransientError(`partner ${profile.id} answered ${res.status}`, { errorClass: 'edi.delivery-unavailable' });
      if (!res.ok)
        throw new PermanentError(`partner ${profile.id} refused the document (${res.status})`, { errorClass: 'edi.delivery-refused' });
      used.push('http');
    }
    if (used.length === 0) throw new PermanentError(`partner ${profile.id} has no outbound transport`, { errorClass: 'edi.no-transport' });
    return used.join('+');
  }
}
