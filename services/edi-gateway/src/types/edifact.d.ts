// The `edifact` package ships no type declarations; this is the part the tests use to read back what the gateway builds.
declare module 'edifact/reader.js' {
  export interface EdifactSegment {
    name: string;
    /** Elements, each an array of components. */
    elements: string[][];
  }
  export default class Reader {
    constructor(config?: { autoDetectEncoding?: boolean });
    /** Throws on syntax errors (and on an incomplete segment at the end). */
    parse(document: string): EdifactSegment[];
  }
}
