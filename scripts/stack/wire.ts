import { connect } from 'node:net';

/**
 * Sends one request over a fresh TCP connection and returns the first
 * complete response frame. `frameLength` returns the frame's total length
 * once enough bytes are buffered to know it.
 */
export function roundTrip(
  host: string,
  port: number,
  request: Buffer,
  frameLength: (buffered: Buffer) => number | undefined,
  timeoutMs = 2000,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let buffered = Buffer.alloc(0);
    const finish = (error: Error | undefined, frame?: Buffer) => {
      socket.destroy();
      if (error) reject(error);
      else if (frame) resolve(frame);
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)));
    socket.once('error', (error) => finish(new Error(`${host}:${port}: ${error.message}`)));
    socket.once('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const length = frameLength(buffered);
      if (length !== undefined && buffered.length >= length) finish(undefined, buffered.subarray(0, length));
    });
    socket.once('end', () => finish(new Error(`${host}:${port} closed the connection without answering`)));
  });
}

/** Sequential reader over a buffer; throws RangeError on truncated input. */
export class Reader {
  private offset: number;
  constructor(
    private readonly buf: Buffer,
    offset = 0,
  ) {
    this.offset = offset;
  }
  get position(): number {
    return this.offset;
  }
  skip(n: number): void {
    this.need(n);
    this.offset += n;
  }
  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.offset++);
  }
  int16BE(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  int32BE(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  int32LE(): number {
    this.need(4);
    const v = this.buf.readInt32LE(this.offset);
    this.offset += 4;
    return v;
  }
  doubleLE(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.offset);
    this.offset += 8;
    return v;
  }
  int64LE(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64LE(this.offset);
    this.offset += 8;
    return v;
  }
  utf8(n: number): string {
    this.need(n);
    const v = this.buf.toString('utf8', this.offset, this.offset + n);
    this.offset += n;
    return v;
  }
  cstring(): string {
    const end = this.buf.indexOf(0, this.offset);
    if (end < 0) throw new RangeError('unterminated string');
    const v = this.buf.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return v;
  }
  private need(n: number): void {
    if (this.offset + n > this.buf.length) throw new RangeError('truncated response');
  }
}
