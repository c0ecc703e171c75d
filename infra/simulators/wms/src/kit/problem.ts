import type { Response } from 'express';
import type { z } from 'zod';

/** One offending input field, named by its JSON path (`lines[0].qty`). */
export interface FieldError {
  field: string;
  message: string;
  code: string;
}

/** RFC 9457 problem details, as every simulator error body is shaped. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  errors?: FieldError[];
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Builds a problem body; `code` is the machine-readable reason clients branch on. */
export function problem(status: number, code: string, detail?: string, errors?: FieldError[]): Problem {
  return {
    type: `https://odx.dev/sim/problems/${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    ...(detail === undefined ? {} : { detail }),
    ...(errors === undefined ? {} : { errors }),
  };
}

/** Sends a problem with `application/problem+json`. */
export function sendProblem(res: Response, body: Problem, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
}

/** `['lines', 0, 'qty']` → `lines[0].qty`. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(body)' : out;
}

/** A 422 naming every field zod rejected. */
export function validationProblem(error: z.ZodError, detail = 'The request body failed validation'): Problem {
  const errors = error.issues.map((issue) => ({ field: fieldPath(issue.path), message: issue.message, code: issue.code }));
  return problem(422, 'validation_failed', detail, errors);
}

/** Thrown by simulator logic to answer with a problem; the app's error handler sends it. */
export class ApiError extends Error {
  readonly problem: Problem;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, detail: string, errors?: FieldError[], headers: Record<string, string> = {}) {
    super(detail);
    this.name = 'ApiError';
    this.problem = problem(status, code, detail, errors);
    this.headers = headers;
  }
}
