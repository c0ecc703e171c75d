import { HttpProblem } from '@odx/runtime';
import type { ErrorRequestHandler } from 'express';
import { Conflict, NotFound, Unprocessable } from '../errors.js';

/** The HTTP problem for a domain error; anything else is returned as it is (the runtime's handler maps it). */
export function problemFor(err: unknown): unknown {
  if (err instanceof NotFound) return new HttpProblem(404, 'Not Found', err.message);
  if (err instanceof Conflict) return new HttpProblem(409, 'Conflict', err.message);
  if (err instanceof Unprocessable) return new HttpProblem(422, 'Unprocessable Content', err.message);
  return err;
}

/** Error middleware for the API router: domain errors become problems before the runtime's handler answers. */
export const domainErrorsAsProblems: ErrorRequestHandler = (err: unknown, _req, _res, next) => next(problemFor(err));
