// What the dispatcher refuses, as facts. http/problems.ts is the one place that turns these into responses.

/** The request names a subscription or delivery that does not exist. */
export class NotFound extends Error {
  constructor(
    readonly resource: 'subscription' | 'delivery' | 'secret',
    readonly id: string,
  ) {
    super(`${resource} ${id} not found`);
    this.name = 'NotFound';
  }
}

/** The request is fine but the current state forbids it (a third secret, removing the last one). */
export class Conflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Conflict';
  }
}

/** The request is well-formed but cannot be done as asked (a target the SSRF guard refuses, a recovery over too many events). */
export class Unprocessable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Unprocessable';
  }
}
