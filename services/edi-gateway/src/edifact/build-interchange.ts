import type { PartnerProfile } from '../partners/partner-profile.js';
import { escapeEdifact as e } from './build-contrl.js';

/** One message: its type (UNH02) and segments as element arrays (components joined with ':'). */
export interface EdifactBody {
  type: 'DESADV' | 'INVOIC';
  segments: string[][];
}

/** A date as EDIFACT format 102 (CCYYMMDD). */
export const edifactDate = (d: Date): string => d.toISOString().slice(0, 10).replace(/-/g, '');

/** An element of components, each escaped, trailing empty ones left out. */
export const edifactElement = (...parts: string[]): string => {
  let end = parts.length;
  while (end > 1 && parts[end - 1] === '') end--;
  return parts.slice(0, end).map(e).join(':');
};

/** An interchange with one message, UNA service string and the partner's UNB ids. */
export function buildEdifactInterchange(profile: PartnerProfile, ref: number, body: EdifactBody, at: Date): string {
  if (!profile.edifact) throw new Error(`partner ${profile.id} has no EDIFACT ids`);
  const date = at.toISOString().slice(2, 10).replace(/-/g, '');
  const time = at.toISOString().slice(11, 16).replace(':', '');
  const segment = ([tag, ...els]: string[]): string => {
    let end = els.length;
    while (end > 1 && els[end - 1] === '') end--;
    return `${tag}+${els.slice(0, end).join('+')}'`;
  };
  const msg = [`UNH+1+${body.type}:D:96A:UN'`, ...body.segments.map(segment)];
  return `UNA:+.? 'UNB+UNOC:3+${e(profile.edifact.ourId)}:14+${e(profile.edifact.partnerId)}:14+${date}:${time}+${ref}'${msg.join('')}UNT+${msg.length + 1}+1'UNZ+1+${ref}'`;
}
