/** CloudEvents Kafka protocol binding, binary mode: attributes as `ce_` headers. */
export interface CloudEventAttributes {
  id: string;
  type: string;
  source: string;
  time: string;
  specversion: '1.0';
  datacontenttype: string;
  subject?: string;
  /** Extension attributes (lower-case alphanumeric names per the spec). */
  correlationid?: string;
  causationid?: string;
  company?: string;
}

export const AVRO_CONTENT_TYPE = 'application/avro';

/** Headers for a message carrying `attrs` (content-type stays unprefixed, per the binding). */
export function toCloudEventHeaders(attrs: CloudEventAttributes): Record<string, string> {
  const headers: Record<string, string> = {
    ce_specversion: attrs.specversion,
    ce_id: attrs.id,
    ce_type: attrs.type,
    ce_source: attrs.source,
    ce_time: attrs.time,
    'content-type': attrs.datacontenttype,
  };
  if (attrs.subject) headers['ce_subject'] = attrs.subject;
  if (attrs.correlationid) headers['ce_correlationid'] = attrs.correlationid;
  if (attrs.causationid) headers['ce_causationid'] = attrs.causationid;
  if (attrs.company) headers['ce_company'] = attrs.company;
  return headers;
}

/** Reads CloudEvents attributes back; undefined when the message has none (e.g. foreign producers). */
export function fromCloudEventHeaders(headers: Record<string, string>): Partial<CloudEventAttributes> | undefined {
  if (!headers['ce_id'] && !headers['ce_type']) return undefined;
  const out: Partial<CloudEventAttributes> = {};
  const map: Array<[keyof CloudEventAttributes, string]> = [
    ['id', 'ce_id'],
    ['type', 'ce_type'],
    ['source', 'ce_source'],
    ['time', 'ce_time'],
    ['subject', 'ce_subject'],
    ['correlationid', 'ce_correlationid'],
    ['causationid', 'ce_causationid'],
    ['company', 'ce_company'],
  ];
  for (const [attr, header] of map) {
    const v = headers[header];
    if (v !== undefined) (out as Record<string, string>)[attr] = v;
  }
  if (headers['ce_specversion'] === '1.0') out.specversion = '1.0';
  if (headers['content-type']) out.datacontenttype = headers['content-type'];
  return out;
}
