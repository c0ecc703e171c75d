import { HttpProblem } from '@odx/runtime';
import type { ErrorRequestHandler } from 'express';
import { AlreadyRedriven, Conflict, GroupHasMembers, InvalidRequest, NotFound, RedriveIncomplete, Unprocessable } from '../errors.js';

/** The HTTP problem for a domain error; anything else is returned as it is (the runtime's handler maps it). */
export function problemFor(err: unknown): unknown {
  if (err instanceof InvalidRequest) return new HttpProblem(400, 'Bad Request', err.message);
  if (err instanceof NotFound) return new HttpProblem(404, 'Not Found', err.message);
  if (err instanceof AlreadyRedriven) return new HttpProblem(409, 'Conflict', err.message, { alreadyRedriven: [...err.sources] });
  if (err instanceof GroupHasMembers) return new HttpProblem(409, 'Conflict', err.message, { state: err.state, members: err.members });
  if (err instanceof Conflict) return new HttpProblem(409, 'Conflict', err.message);
  if (err instanceof Unprocessable) return new HttpProblem(422, 'Unprocessable Content', err.message);
  if (err instanceof RedriveIncomplete)
    return new HttpProblem(502, 'Bad Gateway', err.message, { redriveId: err.redriveId, redriven: err.redriven });
  return err;
}

/** Error middleware for the API router: domain errors become problems before the runtime's handler answers. */
export const domainErrorsAsProblems: ErrorRequestHandler = (err: unknown, _req, _res, next) => next(problemFor(err));
