import type { PartnerProfile } from '../partners/partner-profile.js';

/** Escapes EDIFACT service characters (UNA default set) with the release character. */
export function escapeEdifact(value: string): string {
  return value.replace(/[?'+:]/g, (ch) => `?${ch}`).replace(/[\r\n]/g, ' ');
}

export interface ContrlInput {
  /** Our interchange control reference for the CONTRL. */
  ourRef: number;
  /** The interchange answered. */
  theirRef: string;
  theirSender: string;
  theirRecipient: string;
  /** UCI04: 7 acknowledged, 4 rejected. */
  accepted: boolean;
  /** UCM per message: reference, type (UNH02), accepted. */
  messages: Array<{ reference: string; type: string; accepted: boolean }>;
}

/** A CONTRL (syntax and service report, D:3) answering an EDIFACT interchange. */
export function buildContrl(profile: PartnerProfile, c: ContrlInput, at: Date): string {
  if (!profile.edifact) throw new Error(`partner ${profile.id} has no EDIFACT ids`);
  const e = escapeEdifact;
  const date = at.toISOString().slice(2, 10).replace(/-/g, '');
  const time = at.toISOString().slice(11, 16).replace(':', '');
  const body = [
    `UNH+1+CONTRL:D:3:UN'`,
    `UCI+${e(c.theirRef)}+${e(c.theirSender)}:14+${e(c.theirRecipient)}:14+${c.accepted ? '7' : '4'}'`,
    ...c.messages.map((m) => `UCM+${e(m.reference)}+${m.type.split(':').map(e).join(':')}+${m.accepted ? '7' : '4'}'`),
  ];
  return `UNA:+.? 'UNB+UNOC:3+${e(profile.edifact.ourId)}:14+${e(profile.edifact.partnerId)}:14+${date}:${time}+${c.ourRef}'${body.join('')}UNT+${body.length + 1}+1'UNZ+1+${c.ourRef}'`;
}
