import type { ContentLimits } from '../model/content-limits.js';
import type { Stepwise } from '../model/stepwise.js';

/** One EDIFACT segment: its tag and its data elements, each a list of components. */
export interface EdifactSegment {
  readonly name: string;
  readonly elements: string[][];
}

/**
 * A segment without release characters, split into elements only when they are read: a reader
 * looks at the elements of the few tags it knows, and a message of a million free-text segments
 * then costs one string each instead of a dozen objects (a 2 MB message took 0.6-0.9 s of CPU,
 * most of it collecting the arrays of segments nobody read).
 */
class PlainSegment implements EdifactSegment {
  #elements: string[][] | undefined;

  constructor(
    readonly name: string,
    /** The text after the tag's element separator, or null for a segment with no elements. */
    private readonly body: string | null,
    private readonly advice: Advice,
  ) {}

  get elements(): string[][] {
    if (this.#elements === undefined) {
      const { element, component } = this.advice;
      this.#elements = this.body === null ? [] : this.body.split(element).map((e) => e.split(component));
    }
    return this.#elements;
  }

  /** The segment written with the default separators, without splitting it when its own are the default ones. */
  get text(): string | undefined {
    const { element, component } = this.advice;
    if (element !== DEFAULT_ADVICE.element || component !== DEFAULT_ADVICE.component) return undefined;
    return this.body === null ? `${this.name}'` : `${this.name}+${this.body}'`;
  }
}

/** The segment as text with the default separators (what an audit stores), values not released. */
export function segmentText(s: EdifactSegment): string {
  return (s instanceof PlainSegment ? s.text : undefined) ?? `${s.name}+${s.elements.map((e) => e.join(':')).join('+')}'`;
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
  const { release, terminator } = advice;
  let messages = 0;
  let checkpoint = 0;
  while (pos < text.length) {
    if (pos >= checkpoint) {
      yield;
      checkpoint = pos + 0x10000;
    }
    while (pos < text.length && isBlank(text[pos]!)) pos++;
    if (pos >= text.length) break;
    if (segments.length >= limits.maxSegments) return fail('limit', `the interchange holds more than ${limits.maxSegments} segments`);
    // The terminator that ends the segment is the first one not released (preceded by an odd run of release characters).
    let end = text.indexOf(terminator, pos);
    let released = false;
    while (end >= 0) {
      let run = 0;
      while (end - run - 1 >= pos && text[end - run - 1] === release) run++;
      if (run > 0) released = true;
      if (run % 2 === 0) break;
      end = text.indexOf(terminator, end + 1);
    }
    if (end < 0) {
      const rest = text.slice(pos).trimEnd();
      if (rest.endsWith(release)) return fail('syntax', 'the interchange ends with a release character');
      return fail('syntax', `the interchange ends inside a segment: ${JSON.stringify(rest.slice(0, 30))}`);
    }
    const raw = text.slice(pos, end);
    pos = end + 1;
    const segment = released || raw.includes(release) ? splitReleased(raw, advice, limits) : splitPlain(raw, advice, limits);
    if (typeof segment === 'string')
      return fail(segment.startsWith('!') ? 'syntax' : 'limit', `segment ${segments.length + 1} ${segment.replace(/^!/, '')}`);
    segments.push(segment);
    if (segment.name === 'UNH' && ++messages > limits.maxDocuments)
      return fail('limit', `the interchange holds more than ${limits.maxDocuments} messages`);
  }
  return { segments, problem: null };
}

type Advice = typeof DEFAULT_ADVICE;

/**
 * A segment without release characters: separators counted and values measured in one pass (so a
 * 5 MB run of "+" is refused before `split` makes 5 M strings), then split.
 * Returns the problem as a sentence (a leading "!" for a syntax error, else a cap).
 */
function splitPlain(raw: string, advice: Advice, limits: ContentLimits): EdifactSegment | string {
  const { component, element } = advice;
  let separators = 0;
  let last = -1;
  let tagEnd = -1;
  for (let i = 0; i <= raw.length; i++) {
    const ch = i < raw.length ? raw[i] : element;
    if (ch !== element && ch !== component) continue;
    if (tagEnd < 0) {
      if (ch === component) return '!has a component separator in its tag';
      tagEnd = i;
    } else if (++separators > limits.maxElementsPerSegment) return `has more than ${limits.maxElementsPerSegment} elements and components`;
    if (i - last - 1 > limits.maxElementLength) return `has a value longer than ${limits.maxElementLength} characters`;
    last = i;
  }
  const name = raw.slice(0, tagEnd).trim();
  if (!SEGMENT_TAG.test(name)) return `!has an invalid tag ${JSON.stringify(name.slice(0, 20))}`;
  return new PlainSegment(name, tagEnd >= raw.length ? null : raw.slice(tagEnd + 1), advice);
}

/** A segment with release characters, read a character at a time (the rare case). */
function splitReleased(raw: string, { component, element, release }: Advice, limits: ContentLimits): EdifactSegment | string {
  const elements: string[][] = [];
  let components: string[] = [];
  let name: string | null = null;
  let value = '';
  let chunkStart = 0;
  let values = 0;
  for (let i = 0; i <= raw.length; i++) {
    const ch = i < raw.length ? raw[i] : element;
    if (ch === release && i < raw.length) {
      value += raw.slice(chunkStart, i);
      i++;
      if (i >= raw.length) return '!ends with a release character';
      chunkStart = i;
      continue;
    }
    if (ch !== element && ch !== component) continue;
    value += raw.slice(chunkStart, i);
    chunkStart = i + 1;
    if (value.length > limits.maxElementLength) return `has a value longer than ${limits.maxElementLength} characters`;
    if (name === null) {
      if (ch === component) return '!has a component separator in its tag';
      name = value.trim();
      if (!SEGMENT_TAG.test(name)) return `!has an invalid tag ${JSON.stringify(name.slice(0, 20))}`;
    } else {
      if (++values > limits.maxElementsPerSegment) return `has more than ${limits.maxElementsPerSegment} elements and components`;
      components.push(value);
      if (ch === element) {
        elements.push(components);
        components = [];
      }
    }
    value = '';
  }
  return { name: name ?? '', elements };
}
