// Code lists of the acknowledgments (X12 data elements 717, 718, 720, 723, 715, 716).

/** TA1 TA105 interchange note codes (element 717). */
export const TA1 = {
  ok: '000',
  controlNumberMismatch: '001', // ISA13 and IEA02 differ
  invalidSenderQualifier: '005',
  invalidSenderId: '006',
  invalidReceiverQualifier: '007',
  invalidReceiverId: '008',
  invalidDate: '014',
  invalidTime: '015',
  invalidStandardsId: '016',
  invalidVersion: '017',
  invalidControlNumber: '018',
  invalidAckRequested: '019',
  invalidTestIndicator: '020',
  invalidGroupCount: '021', // IEA01
  invalidControlStructure: '022',
  prematureEnd: '023',
  invalidContent: '024', // e.g. a GS with the wrong ids
  duplicate: '025',
  invalidElementSeparator: '026',
  invalidComponentSeparator: '027',
} as const;

/** AK304 segment syntax error codes (element 720). */
export const AK3 = {
  unrecognizedSegment: '1',
  unexpectedSegment: '2',
  mandatorySegmentMissing: '3',
  loopOccursOverMax: '4',
  segmentExceedsMaxUse: '5',
  notInDefinedSet: '6',
  notInProperSequence: '7',
  segmentHasElementErrors: '8',
} as const;

/** AK403 element syntax error codes (element 723). */
export const AK4 = {
  mandatoryMissing: '1',
  conditionalMissing: '2',
  tooManyElements: '3',
  tooShort: '4',
  tooLong: '5',
  invalidCharacter: '6',
  invalidCode: '7',
  invalidDate: '8',
  invalidTime: '9',
} as const;

/** AK502 transaction set syntax error codes (element 718). */
export const AK5 = {
  notSupported: '1',
  trailerMissing: '2',
  controlNumberMismatch: '3', // ST02 and SE02 differ
  segmentCountMismatch: '4',
  segmentsInError: '5',
  missingOrInvalidIdentifier: '6',
  controlNumberNotUnique: '23',
} as const;

/** AK905 functional group syntax error codes (element 716). */
export const AK9 = {
  groupNotSupported: '1',
  versionNotSupported: '2',
  trailerMissing: '3',
  controlNumberMismatch: '4', // GS06 and GE02 differ
  setCountMismatch: '5',
  invalidControlNumber: '6',
} as const;

/** GS01 functional identifier of each supported transaction set. */
export const FUNCTIONAL_ID: Record<string, string> = {
  '850': 'PO',
  '855': 'PR',
  '856': 'SH',
  '810': 'IN',
  '997': 'FA',
};

/** GS01 of transaction set `code` (text a partner sent: own keys only, never Object.prototype's). */
export function functionalIdOf(code: string): string | undefined {
  return Object.hasOwn(FUNCTIONAL_ID, code) ? FUNCTIONAL_ID[code] : undefined;
}
