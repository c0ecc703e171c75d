import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import type { CompiledRuntimeConfig } from '../config/runtime-config.js';
import type { Logger } from '../logging/logger.js';
import { fixKafkajsCodec } from './codec-fix.js';
import { fixKafkajsIdlePolling } from './request-queue-fix.js';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * kafkajs logs routine, self-healing conditions (coordinator loading, rebalance
 * in progress) at ERROR; they are retried internally, so they go out as warn.
 */
const SELF_HEALING =
  /coordinator is (loading|not available)|rebalance in progress|not the correct coordinator|leader not available|group coordinator is not available|There is no leader for this topic-partition|not the leader for that topic-partition/i;

/** A kafkajs client whose logs go through the service's winston logger. */
export function createKafka(config: CompiledRuntimeConfig['kafka'], logger: Logger, overrides: Partial<KafkaConfig> = {}): Kafka {
  // kafkajs prints a partitioner migration notice on every producer; ODX uses the
  // default (Java-compatible murmur2) partitioner on purpose.
  process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';
  // Each idle broker connection would otherwise wake the process every millisecond (request-queue-fix.ts).
  if (!fixKafkajsIdlePolling()) logger.warn('kafkajs: the idle-polling fix found no RequestQueue to patch (a kafkajs other than 2.2.x?)');
  // Encoding and decoding records would otherwise cost about twice the CPU (codec-fix.ts).
  if (!fixKafkajsCodec())
    logger.warn('kafkajs: the codec fix is not installed (a kafkajs other than 2.2.x, or a fetch decoded before createKafka)');
  return new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    ssl: config.ssl,
    ...(config.sasl ? { sasl: config.sasl as KafkaConfig['sasl'] } : {}),
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 200, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, timestamp: _ts, logger: _l, ...extra } = log;
        let lvl = LEVELS[level] ?? 'info';
        const error = typeof extra['error'] === 'string' ? extra['error'] : '';
        if (lvl === 'error' && SELF_HEALING.test(error)) lvl = 'warn';
        logger.log(lvl, `kafkajs: ${message}`, { component: 'kafkajs', ...extra });
      },
    ...overrides,
  });
}
