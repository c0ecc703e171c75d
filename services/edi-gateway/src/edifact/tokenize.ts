import type { ContentLimits } from '../model/content-limits.js';
import type { Stepwise } from '../model/stepwise.js';

/** One EDIFACT segment: its tag and its data elements, each a list of components. */
export interface EdifactSegment {
  name: string;
  elements: string[][];
}

export interface Tokenized {
  /** The segments read, up to the problem when there is one. */
  segments: EdifactSegment[];
  /** Why reading stopped: a syntax error or a cap exceeded; null when the whole text was read. */
  problem: { kind: 'syntax' | 'limit'; message: string } | null;
}

const DEFAULT_ADVICE = { component: ':', element: '+', release: '?', terminator: "'" };
const SEGMENT_TAG = /^[A-Z][A-Z0-9]{2}$/;
const isBlank = (ch: string): boolean => ch === '\n' || ch === '\r' || ch === '\t' || ch === ' ';

/**
 * Splits an interchange into segments in one pass over its characters,
 * honouring the UNA service string advice (separators, release character).
 * The `edifact` package's Reader took about 0.7 µs a character and more for
 * long segments (7 s for 5 MB of "+"), and its caller then searched the
 * segment list from the start for every UNH; this reader is linear and stops
 * at the first cap exceeded, so a hostile file costs at most one pass.
 */
export function* tokenizeEdifact(text: string, limits: ContentLimits): Stepwise<Tokenized> {
  let pos = 0;
  let advice = DEFAULT_ADVICE;
  if (text.startsWith('UNA')) {
    if (text.length < 9) return { segments: [], problem: { kind: 'syntax', message: 'the UNA service string advice is truncated' } };
    advice = { component: text[3]!, element: text[4]!, release: text[6]!, terminator: text[8]! };
    const distinct = new Set([advice.component, advice.element, advice.release, advice.terminator]);
    if (distinct.size !== 4)
      return {
        segments: [],
        problem: { kind: 'syntax', message: 'the UNA service string advice declares separators that are not distinct' },
      };
    pos = 9;
  }
  const segments: EdifactSegment[] = [];
  const fail = (kind: 'syntax' | 'limit', message: string): Tokenized => ({ segments, problem: { kind, message } });
  let messages = 0;
  let checkpoint = 0;
  while (pos < text.length) {
    if (pos >= checkpoint) {
      yield;
      checkpoint = pos + 0x10000;
    }
    while (pos < text.length && isBlank(text[pos]!)) pos++;
    if (pos >= text.length) break;
    const segmentStart = pos;
    if (segments.length >= limits.maxSegments) return fail('limit', `the interchange holds more than ${limits.maxSegments} segments`);
    const elements: string[][] = [];
    let components: string[] = [];
    let value = '';
    let values = 0;
    let name: string | null = null;
    let closed = false;
    // Characters are gathered into chunks between separators, not appended one by one.
    let chunkStart = pos;
    for (; pos < text.length; pos++) {
      const ch = text[pos]!;
      if (ch === advice.release) {
        value += text.slice(chunkStart, pos);
        pos++;
        if (pos >= text.length) return fail('syntax', 'the interchange ends with a release character');
        chunkStart = pos;
        continue;
      }
      if (ch !== advice.element && ch !== advice.component && ch !== advice.terminator) continue;
      value += text.slice(chunkStart, pos);
      chunkStart = pos + 1;
      if (name === null) {
        if (ch === advice.component) return fail('syntax', `segment ${segments.length + 1} has a component separator in its tag`);
        name = value.trim();
        if (!SEGMENT_TAG.test(name))
          return fail('syntax', `segment ${segments.length + 1} has an invalid tag ${JSON.stringify(name.slice(0, 20))}`);
      } else {
        components.push(value);
        if (++values > limits.maxElementsPerSegment)
          return fail(
            'limit',
            `segment ${segments.length + 1} (${name}) has more than ${limits.maxElementsPerSegment} elements and components`,
          );
        if (ch !== advice.component) {
          elements.push(components);
          components = [];
        }
      }
      value = '';
      if (ch === advice.terminator) {
        closed = true;
        pos++;
        break;
      }
    }
    if (!closed)
      return fail('syntax', `the interchange ends inside a segment: ${JSON.stringify(text.slice(segmentStart, segmentStart + 30))}`);
    segments.push({ name: name!, elements });
    if (name === 'UNH' && ++messages > limits.maxDocuments)
      return fail('limit', `the interchange holds more than ${limits.maxDocuments} messages`);
  }
  return { segments, problem: null };
}
