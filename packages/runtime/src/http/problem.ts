/** An HTTP error answered as RFC 9457 problem+json. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
    readonly type: string = 'about:blank',
  ) {
    super(detail ?? title);
    this.name = 'HttpProblem';
  }

  toJSON(instance?: string): Record<string, unknown> {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
      ...this.extra,
    };
  }
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
