import { X12Element, X12Parser, X12Segment, type X12Interchange, type X12SerializationOptions } from 'node-x12';
import type { Stepwise } from '../model/stepwise.js';
import type { Separators } from './read-interchange.js';

const WHITESPACE = /\s+/g;
/** Segments handed to node-x12 between two checkpoints. */
const SLICE = 4096;
const isBlank = (code: number): boolean => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;

/**
 * Builds node-x12's interchange model from the text with one `indexOf` pass
 * per separator. node-x12's own `parse` walks the text a character at a time
 * with a regular expression and string concatenation per character: linear,
 * but about 300 ns a character, so a 5 MB file of blank lines or one long
 * element held the event loop for 1.5 to 3.5 s. Segments are split as node-x12
 * splits them (whitespace before and inside a tag ignored, element values
 * kept as sent, ISA13 and IEA02 read as integers) and handed to its own
 * `getInterchangeFromSegments`, so the model and its `toString` are the same.
 * `text` must start with the ISA, whose separators have been checked.
 */
export function* parseX12Segments(text: string, sep: Separators): Stepwise<X12Interchange> {
  const segments: X12Segment[] = [];
  let pos = 0;
  let checkpoint = 0;
  while (pos < text.length) {
    if (pos >= checkpoint) {
      yield;
      checkpoint = pos + 0x10000;
    }
    // Blank lines between segments are skipped without a slice each (a flood of them is a known attack).
    while (pos < text.length && isBlank(text.charCodeAt(pos)) && text[pos] !== sep.segment) pos++;
    if (pos < text.length && text[pos] === sep.segment) {
      pos++;
      continue;
    }
    let end = text.indexOf(sep.segment, pos);
    if (end < 0) end = text.length;
    const raw = text.slice(pos, end);
    pos = end + 1;
    if (raw.trim() === '') continue;
    const [head = '', ...values] = raw.split(sep.element);
    if (values.length === 0) throw new Error(`segment ${segments.length + 1} ("${head.trim().slice(0, 20)}") has no element separator`);
    const segment = new X12Segment(head.replace(WHITESPACE, ''));
    segment.elements = values.map((v) => new X12Element(v));
    if (segment.tag === 'ISA' && values.length >= 13) segment.elements[12]!.value = `${parseInt(values[12]!, 10)}`;
    if (segment.tag === 'IEA' && values.length === 2) segment.elements[1]!.value = `${parseInt(values[1]!, 10)}`;
    segments.push(segment);
  }
  if (segments.length <= 2) throw new Error('no interchange');
  // The parser keeps its place (interchange, group, set) between calls, so the model is built in slices with checkpoints between.
  const parser = new X12Parser(false);
  const options = serializationOptions(text, sep);
  let result: ReturnType<X12Parser['getInterchangeFromSegments']> | undefined;
  for (let at = 0; at < segments.length; at += SLICE) {
    yield;
    result = parser.getInterchangeFromSegments(segments.slice(at, at + SLICE), options);
  }
  if (!result || !('functionalGroups' in result)) throw new Error('more than one interchange');
  return result;
}

/** The options node-x12's `parse` detects from the ISA (positions 3, 82, 104, 105 and the end of line after it). */
function serializationOptions(text: string, sep: Separators): X12SerializationOptions {
  let endOfLine: string | undefined = text.charAt(106);
  if (endOfLine !== '\r' && endOfLine !== '\n') endOfLine = undefined;
  else if (endOfLine === '\r' && text.charAt(107) === '\n') endOfLine = '\r\n';
  return {
    segmentTerminator: sep.segment,
    elementDelimiter: sep.element,
    subElementDelimiter: sep.component,
    repetitionDelimiter: text.charAt(82),
    ...(endOfLine !== undefined ? { endOfLine } : {}),
    format: endOfLine !== undefined,
  };
}
