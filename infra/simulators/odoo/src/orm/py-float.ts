/**
 * Marks a number that Odoo returns as a Python float (float/monetary
 * fields), so XML-RPC sends <double> and JSON sends `10.0`, not `10`.
 */
export class PyFloat {
  constructor(readonly value: number) {}
  toJSON(): number {
    return this.value;
  }
}
