import type { ServiceRuntime } from '@odx/runtime';
import { AuditLog } from './audit/audit-log.js';
import type { ReplayDlqConfig } from './config.js';
import { DlqService } from './dlq/dlq-service.js';
import { RedriveRecords } from './dlq/redrive-records.js';
import { GroupService } from './groups/group-service.js';
import { mountRoutes } from './http/routes.js';
import { ReplayJobStore } from './replay/replay-jobs.js';
import { ReplayService } from './replay/replay-service.js';
import { ReplayWorker } from './replay/replay-worker.js';

export interface ReplayDlq {
  dlq: DlqService;
  replay: ReplayService;
  groups: GroupService;
  audit: AuditLog;
  jobs: ReplayJobStore;
  worker: ReplayWorker;
}

/**
 * Wires the DLQ, replay, consumer-group and audit parts onto a service runtime
 * (whose `authenticate` must be the bearer-token check), mounts the API and
 * starts the replay worker; the worker is closed with the runtime.
 */
export function startReplayDlq(rt: ServiceRuntime, config: ReplayDlqConfig): ReplayDlq {
  const audit = new AuditLog(rt.db);
  const records = new RedriveRecords(rt.db);
  const jobs = new ReplayJobStore(rt.db);
  const { cluster, serde, producer, logger } = rt;
  const worker = new ReplayWorker({ cluster, serde, producer, store: jobs, logger, instanceId: rt.config.instanceId, ...config.jobs });
  const dlq = new DlqService({ cluster, serde, producer, records, audit, logger, ...config.dlq, produceBatch: config.jobs.produceBatch });
  const replay = new ReplayService({ cluster, store: jobs, worker, audit, logger });
  const groups = new GroupService({ cluster, audit, logger });
  mountRoutes(rt.http.api, { dlq, replay, groups, audit, cluster });
  worker.start();
  rt.lifecycle.register('replay-worker', () => worker.close());
  return { dlq, replay, groups, audit, jobs, worker };
}
