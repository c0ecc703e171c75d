// Kafka ACLs derived from the topic catalog: one principal per service, which
// writes the topics it produces, reads the topics it consumes with its own
// consumer groups, and owns the retry and DLQ topics of those groups. The
// stack launcher applies them to the local broker; a deployment applies the
// same plan with `odx acls` or its own tooling (docs/consumer-guide.md).
import type { TopicCatalog } from '@odx/schemas';
import kafkajs, { type AclEntry, type Admin } from 'kafkajs';

// kafkajs is CommonJS and Node's ESM loader does not see these enums as named exports.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

export type AclOperation = 'read' | 'write' | 'create' | 'describe' | 'delete' | 'alter' | 'describe-configs' | 'all';

/** One allow rule: `principal` may do `operations` on a topic or group named `name` (or starting with it). */
export interface AclRule {
  principal: string;
  resource: 'topic' | 'group';
  /** `literal` names one resource (`*` is every one); `prefixed` every resource whose name starts with `name`. */
  pattern: 'literal' | 'prefixed';
  name: string;
  operations: readonly AclOperation[];
  /** Why the rule exists, for `odx acls plan` and reviews. */
  reason: string;
}

/** The consumer group id each service's settings default to (`ODX_<SERVICE>_GROUP`); its other groups add a suffix. */
export const DEFAULT_GROUPS: Readonly<Record<string, string>> = {
  'odoo-outbox-poller': 'odoo-writeback',
  'wms-bridge': 'wms-bridge',
  'tms-bridge': 'tms-bridge',
  'edi-gateway': 'edi-gateway',
  'analytics-sink': 'analytics-sink',
  'order-orchestrator': 'order-orchestrator',
  'webhook-dispatcher': 'webhook-dispatcher',
  'api-gateway': 'api-gateway',
};

/**
 * Services whose job spans every ODX topic, beyond what the catalog lists for them:
 * - analytics-sink reads every retry and DLQ topic (its `-failures` group finds them at run time) and describes
 *   every group (consumer lag in /v1/kpis);
 * - replay-dlq is the operators' tool: it replays any topic into any other, redrives and purges DLQs, and moves
 *   any group's offsets.
 */
const WIDE_ACCESS: Readonly<Record<string, { topics: readonly AclOperation[]; groups: readonly AclOperation[] }>> = {
  'analytics-sink': { topics: ['read', 'describe'], groups: ['describe'] },
  'replay-dlq': { topics: ['read', 'write', 'describe', 'delete', 'describe-configs'], groups: ['all'] },
};

export interface AclPlanOptions {
  /** `ODX_TOPIC_PREFIX` of the ODX system the rules are for (empty by default). */
  topicPrefix?: string;
  /** Consumer group id per service, where it differs from DEFAULT_GROUPS. */
  groups?: Readonly<Record<string, string>>;
  /** Kafka user of a service. @default `odx-<service>` */
  principalOf?: (service: string) => string;
}

/** The Kafka user of a service on a stack whose users the launcher created. */
export function servicePrincipal(service: string): string {
  return `odx-${service}`;
}

/**
 * Every allow rule the catalog implies. Denied is whatever no rule allows (the broker runs with
 * `allow.everyone.if.no.acl.found=false`); the stack's admin user is a super user and needs none.
 *
 * - Every service may describe every ODX topic: it checks at start that the catalog topics exist.
 * - A producer of a topic writes it.
 * - A consumer of a topic reads it, reads its retry and DLQ topics (`<topic>.<group>.…`, e.g. the orchestrator turns
 *   dead letters into cases), and owns those of its own groups (creates, writes, reads). Its groups are its group
 *   id and every group starting with it (`-levels`, `-failures`, `-intake`, ...).
 */
export function catalogAcls(catalog: TopicCatalog, options: AclPlanOptions = {}): AclRule[] {
  const prefix = options.topicPrefix ?? '';
  const principalOf = options.principalOf ?? servicePrincipal;
  const groupOf = (service: string): string => options.groups?.[service] ?? DEFAULT_GROUPS[service] ?? service;
  const scope = `${prefix}odx.`;
  const rules: AclRule[] = [];
  const add = (rule: Omit<AclRule, 'principal'>, service: string): void => {
    rules.push({ principal: principalOf(service), ...rule });
  };
  for (const service of catalog.services) {
    add(
      { resource: 'topic', pattern: 'prefixed', name: scope, operations: ['describe'], reason: 'sees that the catalog topics exist' },
      service,
    );
    const wide = WIDE_ACCESS[service];
    if (wide) {
      add({ resource: 'topic', pattern: 'prefixed', name: scope, operations: wide.topics, reason: 'works on every ODX topic' }, service);
      add({ resource: 'group', pattern: 'literal', name: '*', operations: wide.groups, reason: 'works on every consumer group' }, service);
    }
  }
  for (const topic of catalog.topics) {
    const name = `${prefix}${topic.name}`;
    for (const producer of topic.producers)
      add({ resource: 'topic', pattern: 'literal', name, operations: ['write'], reason: `produces ${topic.name}` }, producer);
    for (const consumer of topic.consumers) {
      const group = groupOf(consumer);
      add({ resource: 'topic', pattern: 'literal', name, operations: ['read'], reason: `consumes ${topic.name}` }, consumer);
      add(
        {
          resource: 'topic',
          pattern: 'prefixed',
          name: `${name}.`,
          operations: ['read'],
          reason: `reads the retry and DLQ topics of ${topic.name}`,
        },
        consumer,
      );
      add(
        {
          resource: 'topic',
          pattern: 'prefixed',
          name: `${name}.${group}`,
          operations: ['create', 'write', 'read'],
          reason: `owns the retry and DLQ topics of its groups on ${topic.name}`,
        },
        consumer,
      );
    }
  }
  const consumers = new Set(catalog.topics.flatMap((t) => t.consumers));
  for (const service of consumers)
    add(
      { resource: 'group', pattern: 'prefixed', name: groupOf(service), operations: ['read', 'describe'], reason: 'its consumer groups' },
      service,
    );
  return mergeRules(rules);
}

/** One rule per principal and resource, with the union of operations and reasons. */
function mergeRules(rules: AclRule[]): AclRule[] {
  const byResource = new Map<string, AclRule>();
  for (const r of rules) {
    const key = `${r.principal}\u0000${r.resource}\u0000${r.pattern}\u0000${r.name}`;
    const seen = byResource.get(key);
    if (!seen) {
      byResource.set(key, { ...r, operations: [...r.operations] });
      continue;
    }
    const operations = [...new Set([...seen.operations, ...r.operations])];
    const reason = seen.reason.split('; ').includes(r.reason) ? seen.reason : `${seen.reason}; ${r.reason}`;
    byResource.set(key, { ...seen, operations, reason });
  }
  return [...byResource.values()];
}

/** Whether `rules` allow `principal` the `operation` on a resource (the broker's matching, for plans and tests). */
export function allows(
  rules: readonly AclRule[],
  principal: string,
  resource: AclRule['resource'],
  name: string,
  operation: AclOperation,
): boolean {
  return rules.some(
    (r) =>
      r.principal === principal &&
      r.resource === resource &&
      (r.pattern === 'literal' ? r.name === '*' || r.name === name : name.startsWith(r.name)) &&
      (r.operations.includes('all') || r.operations.includes(operation) || (operation === 'describe' && impliesDescribe(r.operations))),
  );
}

/** Kafka grants describe with read, write, delete or alter. */
function impliesDescribe(operations: readonly AclOperation[]): boolean {
  return operations.some((o) => o === 'read' || o === 'write' || o === 'delete' || o === 'alter');
}

const OPERATIONS: Readonly<Record<AclOperation, number>> = {
  read: AclOperationTypes.READ,
  write: AclOperationTypes.WRITE,
  create: AclOperationTypes.CREATE,
  describe: AclOperationTypes.DESCRIBE,
  delete: AclOperationTypes.DELETE,
  alter: AclOperationTypes.ALTER,
  'describe-configs': AclOperationTypes.DESCRIBE_CONFIGS,
  all: AclOperationTypes.ALL,
};

function entriesOf(rule: AclRule): AclEntry[] {
  return rule.operations.map((operation) => ({
    resourceType: rule.resource === 'topic' ? AclResourceTypes.TOPIC : AclResourceTypes.GROUP,
    resourceName: rule.name,
    resourcePatternType: rule.pattern === 'literal' ? ResourcePatternTypes.LITERAL : ResourcePatternTypes.PREFIXED,
    principal: `User:${rule.principal}`,
    host: '*',
    operation: OPERATIONS[operation],
    permissionType: AclPermissionTypes.ALLOW,
  }));
}

const entryKey = (e: AclEntry): string =>
  [e.principal, e.resourceType, e.resourcePatternType, e.resourceName, e.operation, e.permissionType, e.host].join('\u0000');

/**
 * Adds the entries of `rules` the broker does not hold yet; returns how many it added. Only adds: other rules stay
 * (another ODX system's on the same cluster, or one a newer catalog no longer implies until removed).
 */
export async function applyAcls(admin: Admin, rules: readonly AclRule[]): Promise<number> {
  const held = new Set((await describeAllows(admin)).map(entryKey));
  const missing = rules.flatMap(entriesOf).filter((e) => !held.has(entryKey(e)));
  // CreateAcls takes many bindings per request; a few hundred fit easily.
  for (let i = 0; i < missing.length; i += 200) await admin.createAcls({ acl: missing.slice(i, i + 200) });
  return missing.length;
}

/** Deletes exactly the entries of `rules` (e.g. a system test's, when it is done). */
export async function removeAcls(admin: Admin, rules: readonly AclRule[]): Promise<void> {
  const filters = rules.flatMap(entriesOf);
  for (let i = 0; i < filters.length; i += 200) await admin.deleteAcls({ filters: filters.slice(i, i + 200) });
}

/** Every allow entry on the broker, one per operation. */
async function describeAllows(admin: Admin): Promise<AclEntry[]> {
  const answer = await admin.describeAcls({
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ALLOW,
  });
  return answer.resources.flatMap((r) =>
    r.acls.map((a) => ({
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      resourcePatternType: r.resourcePatternType,
      principal: a.principal,
      host: a.host,
      operation: a.operation,
      permissionType: a.permissionType,
    })),
  );
}
