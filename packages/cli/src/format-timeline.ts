// An order's timeline as the analytics-sink answers GET /v1/orders/:ref/timeline
// (see services/analytics-sink/README.md), and its text rendering: one line
// per hop with the time since the previous hop, the system and service, the
// Kafka coordinates, and retry/DLQ entries flagged.

export interface TimelineHop {
  time: string;
  type: string;
  /** event, retry or dlq. */
  entry: string;
  eventId: string | null;
  topic: string;
  partition: number;
  offset: number;
  traceId: string | null;
  source: string | null;
  service: string | null;
  sincePreviousMs: number | null;
  sinceFirstMs: number;
  error?: { group: string | null; errorClass: string | null; message: string | null } | undefined;
}

export interface OrderTimeline {
  ref: string;
  orderId: string;
  lifecycle: { stage: string | null; sourceSystems: string[] };
  traceIds: string[];
  hops: TimelineHop[];
}

function gap(ms: number | null): string {
  if (ms === null) return '';
  if (ms < 1_000) return `+${ms} ms`;
  if (ms < 120_000) return `+${(ms / 1000).toFixed(1)} s`;
  return `+${(ms / 60_000).toFixed(1)} min`;
}

export function formatTimeline(t: OrderTimeline): string[] {
  const lines = [
    `order ${t.ref} (id ${t.orderId})  stage: ${t.lifecycle.stage ?? '-'}  systems: ${t.lifecycle.sourceSystems.join(', ') || '-'}`,
    `trace${t.traceIds.length === 1 ? '' : 's'}: ${t.traceIds.join(', ') || '-'}`,
  ];
  const rows = t.hops.map((h) => {
    const flag =
      h.entry === 'event'
        ? ''
        : `  ← ${h.entry.toUpperCase()} ${h.error?.errorClass ?? ''}${h.error?.group ? ` (group ${h.error.group})` : ''}`;
    return [
      h.time.replace('T', ' ').slice(0, 23),
      gap(h.sincePreviousMs),
      h.type,
      h.source ?? '-',
      h.service ?? '-',
      `${h.topic}[${h.partition}]@${h.offset}${flag}`,
    ];
  });
  const headers = ['TIME (UTC)', 'SINCE PREV', 'EVENT', 'SYSTEM', 'SERVICE', 'TOPIC[PARTITION]@OFFSET'];
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [...lines, line(headers), ...rows.map(line)];
}
