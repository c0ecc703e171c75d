// What the DLQ, replay and group services refuse, as facts. They know nothing of
// HTTP: http/problems.ts is the one place that turns these into responses.
import { errorMessage } from '@odx/runtime';

/** The request cannot be right whatever the cluster holds: an illegal name, a partition the topic lacks, contradictory options. */
export class InvalidRequest extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequest';
  }
}

export type Resource = 'topic' | 'record' | 'replay job' | 'consumer group';

/** Something the request names is not there (or no longer). */
export class NotFound extends Error {
  /**
   * @param resource what kind of thing is missing
   * @param names the missing ones (topic name, `partition/offset` of records, job id, group id)
   */
  constructor(
    readonly resource: Resource,
    readonly names: readonly string[],
    message: string,
  ) {
    super(message);
    this.name = 'NotFound';
  }
}

/** The request is fine but the current state forbids it; subclasses say which state. */
export class Conflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Conflict';
  }
}

/** Selected DLQ messages were redriven before (force redrives them again). */
export class AlreadyRedriven extends Conflict {
  /** @param sources the redrive record ids (`<topic>/<partition>/<offset>`) */
  constructor(
    readonly topic: string,
    readonly sources: readonly string[],
  ) {
    super(`already redriven (pass force to redrive again): ${sources.slice(0, 20).join(', ')}`);
    this.name = 'AlreadyRedriven';
  }
}

/** A replay job that is not running cannot be cancelled. */
export class JobNotRunning extends Conflict {
  constructor(
    readonly jobId: string,
    readonly status: string,
  ) {
    super(`replay job ${jobId} is ${status}, not running`);
    this.name = 'JobNotRunning';
  }
}

/** A group's offsets cannot be reset while it has members (they would commit over the reset). */
export class GroupHasMembers extends Conflict {
  constructor(
    readonly group: string,
    readonly state: string,
    readonly members: number,
  ) {
    super(`group ${group} has ${members} active member(s) (state ${state}); stop its consumers before resetting`);
    this.name = 'GroupHasMembers';
  }
}

/** The request is well-formed, but the messages it names cannot be handled that way (no original topic, an edit the schema refuses). */
export class Unprocessable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Unprocessable';
  }
}

/** Kafka failed in the middle of a redrive: the first `redriven` of `total` messages went out. */
export class RedriveIncomplete extends Error {
  constructor(
    readonly redriveId: string,
    readonly redriven: number,
    readonly total: number,
    cause: unknown,
  ) {
    super(`redrive ${redriveId} stopped after ${redriven} of ${total} messages: ${errorMessage(cause)}`, { cause });
    this.name = 'RedriveIncomplete';
  }
}
