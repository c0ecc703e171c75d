import type { PartnerProfile } from '../../src/partners/partner-profile.js';

/** The partner's side of a profile: what we send, read as they would read it. */
export function mirrorProfile(p: PartnerProfile): PartnerProfile {
  return {
    ...p,
    isa: {
      ...p.isa,
      partnerQualifier: p.isa.ourQualifier,
      partnerId: p.isa.ourId,
      ourQualifier: p.isa.partnerQualifier,
      ourId: p.isa.partnerId,
    },
    gs: { partnerId: p.gs.ourId, ourId: p.gs.partnerId },
    transactionSets: { inbound: ['855', '856', '810', '997'], outbound: [] },
  };
}
