import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PartnerProfile } from '../partners/partner-profile.js';

export const FOLDERS = ['inbound', 'work', 'archive', 'error', 'outbound'] as const;
export type FolderName = (typeof FOLDERS)[number];

/**
 * A partner's folder tree: partners drop files into `inbound` (writing under a
 * dot- or .tmp name and renaming when complete), the gateway claims each by
 * renaming it into `work`, then moves it to `archive` or `error`; what we send
 * appears in `outbound`, written under a temporary name and renamed.
 */
export function partnerFolder(root: string, profile: PartnerProfile, folder: FolderName): string {
  return join(profile.transport.folder.root ?? root, profile.id, folder);
}

export async function ensurePartnerFolders(root: string, profile: PartnerProfile): Promise<void> {
  for (const f of FOLDERS) await mkdir(partnerFolder(root, profile, f), { recursive: true });
}
