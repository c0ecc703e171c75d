import { randomBytes } from 'node:crypto';

/** A random id with a Stripe-like type prefix, e.g. `msg_2f6c0d3a9b1e4c7f8a0b`. */
export function randomId(prefix: string): string {
  return `${prefix}_${randomBytes(10).toString('hex')}`;
}

/** Monotonic, human-readable ids (`OB-000001`) for records people read in logs. */
export class SequenceIds {
  #next = 1;
  constructor(
    private readonly prefix: string,
    private readonly width = 6,
  ) {}

  next(): string {
    return `${this.prefix}${String(this.#next++).padStart(this.width, '0')}`;
  }

  nextNumber(): number {
    return this.#next++;
  }

  reset(): void {
    this.#next = 1;
  }
}
