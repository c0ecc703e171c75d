// What the desk refuses, as facts; http/case-routes.ts turns them into problems.
export { CaseTransitionRefused } from './case-model.js';

/** No case has this id. */
export class CaseNotFound extends Error {
  override readonly name = 'CaseNotFound';
  constructor(readonly caseId: string) {
    super(`no case ${caseId}`);
  }
}

/** Others changed the case (or the order step's slot) every time this change was tried; trying again later may work. */
export class CaseBusy extends Error {
  override readonly name = 'CaseBusy';
  constructor(readonly what: string) {
    super(`${what} kept changing under this request; try again`);
  }
}
