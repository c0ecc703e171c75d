import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpProblem } from '@odx/runtime';
import {
  AlreadyRedriven,
  GroupHasMembers,
  InvalidRequest,
  JobNotRunning,
  NotFound,
  RedriveIncomplete,
  Unprocessable,
} from '../../src/errors.js';
import { problemFor } from '../../src/http/problems.js';
import { PlanError } from '../../src/replay/replay-plan.js';

const body = (err: unknown): Record<string, unknown> => {
  const p = problemFor(err);
  assert.ok(p instanceof HttpProblem, `${String(err)} became no problem`);
  return p.toJSON();
};

test('each domain error becomes the problem the API documents, with its facts in the body', () => {
  assert.deepEqual(body(new InvalidRequest('t has no partition 7')), {
    type: 'about:blank',
    title: 'Bad Request',
    status: 400,
    detail: 't has no partition 7',
  });
  assert.equal(body(new PlanError('partition 1 is named twice')).status, 400);
  assert.deepEqual(body(new NotFound('replay job', ['j1'], 'no replay job j1')), {
    type: 'about:blank',
    title: 'Not Found',
    status: 404,
    detail: 'no replay job j1',
  });
  assert.deepEqual(body(new AlreadyRedriven('t.g.dlq', ['t.g.dlq/0/5'])), {
    type: 'about:blank',
    title: 'Conflict',
    status: 409,
    detail: 'already redriven (pass force to redrive again): t.g.dlq/0/5',
    alreadyRedriven: ['t.g.dlq/0/5'],
  });
  assert.deepEqual(body(new GroupHasMembers('g', 'Stable', 2)), {
    type: 'about:blank',
    title: 'Conflict',
    status: 409,
    detail: 'group g has 2 active member(s) (state Stable); stop its consumers before resetting',
    state: 'Stable',
    members: 2,
  });
  assert.deepEqual(body(new JobNotRunning('j1', 'completed')), {
    type: 'about:blank',
    title: 'Conflict',
    status: 409,
    detail: 'replay job j1 is completed, not running',
  });
  assert.equal(body(new Unprocessable('no original topic header on 0/1; name a targetTopic')).status, 422);
  assert.deepEqual(body(new RedriveIncomplete('r1', 3, 10, new Error('broker down'))), {
    type: 'about:blank',
    title: 'Bad Gateway',
    status: 502,
    detail: 'redrive r1 stopped after 3 of 10 messages: broker down',
    redriveId: 'r1',
    redriven: 3,
  });
});

test('other errors pass through untouched for the runtime to answer', () => {
  const other = new Error('boom');
  assert.equal(problemFor(other), other);
  const problem = new HttpProblem(401, 'Unauthorized');
  assert.equal(problemFor(problem), problem);
});
