/**
 * One consumer group of a service and the topics it reads. Each service
 * declares its subscriptions in one function of its config that its wiring
 * uses to build its consumers, so a test (tests/unit/catalog-consumers.test.ts)
 * and, later, ACL tooling read the same list the service subscribes.
 */
export interface ConsumerSubscription {
  groupId: string;
  topics: string[];
}
