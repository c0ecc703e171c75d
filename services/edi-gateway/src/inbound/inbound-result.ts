/** Where a document came from. */
export interface InboundSource {
  transport: 'folder' | 'http';
  fileName: string | null;
  /** The partner whose folder or URL the document came through. */
  expectedPartnerId: string | null;
  /** The document's real size when only its head was read (files over the size limit). */
  declaredSize?: number;
}

/** What processing an interchange did, as the HTTP endpoint answers it and the folder watcher files it. */
export interface InboundResult {
  /** accepted: every document; partially_accepted: some; rejected: none (or the envelope); duplicate: the control number was seen before. */
  status: 'accepted' | 'partially_accepted' | 'rejected' | 'duplicate';
  partnerId: string | null;
  interchangeControlNumber: string | null;
  documents: Array<{ documentId: string; type: string; status: string; errors: string[] }>;
  /** Acknowledgments sent back (997, TA1 or CONTRL). */
  acknowledgments: Array<{ documentId: string; type: string }>;
  errors: string[];
}
