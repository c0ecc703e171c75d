// Each ODX service's own config loader, as its main.ts calls it, for the checks that ask whether the
// environment compose (or the dry run) gives a service satisfies that service: no second list of variables.
// Beside the loader, the paths its compiled config reads or writes, so a check can see that they are on a
// volume (the image holds the code only; anything else inside it is read-only to the service's user).
import { loadSinkConfig } from '@odx/analytics-sink';
import { loadApiGatewayConfig } from '@odx/api-gateway';
import { loadGatewayConfig } from '@odx/edi-gateway';
import { loadPollerConfig } from '@odx/odoo-outbox-poller';
import { loadOrchestratorConfig } from '@odx/order-orchestrator';
import { loadReplayDlqConfig } from '@odx/replay-dlq';
import { loadRuntimeConfig } from '@odx/runtime';
import { DEFAULT_WEBHOOK_SECRET as SIM_TMS_WEBHOOK_SECRET } from '@odx/sim-tms';
import { DEFAULT_WEBHOOK_SECRET as SIM_WMS_WEBHOOK_SECRET } from '@odx/sim-wms';
import { loadBridgeConfig as loadTmsBridgeConfig } from '@odx/tms-bridge';
import { loadWebhookDispatcherConfig } from '@odx/webhook-dispatcher';
import { loadBridgeConfig as loadWmsBridgeConfig } from '@odx/wms-bridge';
import { DEMO_EDI_TOKEN, DEMO_JWT_SECRET, DEMO_WEBHOOK_SECRET } from '../demo/services.js';

/** A path a service's config names, and what it is for (shown in problems). */
export interface ConfigPath {
  path: string;
  what: string;
}

/** What the checks know about one service. */
export interface ServiceConfigProbe {
  /** Loads the service's own settings (throws ConfigError, naming the variables, when they do not hold). */
  load(env: NodeJS.ProcessEnv): unknown;
  /** Folders it writes: must be on a writable volume. */
  writes(config: unknown): ConfigPath[];
  /** Files or folders it reads beyond its code: must be mounted. */
  reads(config: unknown): ConfigPath[];
}

function probe<C>(
  load: (env: NodeJS.ProcessEnv) => C,
  paths: { writes?: (c: C) => ConfigPath[]; reads?: (c: C) => ConfigPath[] } = {},
): ServiceConfigProbe {
  return {
    load,
    // The checks pass back what `load` returned.
    writes: (c) => paths.writes?.(c as C) ?? [],
    reads: (c) => paths.reads?.(c as C) ?? [],
  };
}

/** Folder under services/ -> its probe. */
export const SERVICE_CONFIGS: Readonly<Record<string, ServiceConfigProbe>> = {
  'odoo-outbox-poller': probe(loadPollerConfig),
  'wms-bridge': probe(loadWmsBridgeConfig),
  'tms-bridge': probe(loadTmsBridgeConfig),
  'edi-gateway': probe(loadGatewayConfig, {
    writes: (c) => (c.folder.enabled ? [{ path: c.folder.root, what: 'the partner folders (EDI_FOLDER_ROOT)' }] : []),
    reads: (c) => [{ path: c.partnersDir, what: 'the partner profiles (EDI_PARTNERS_DIR)' }],
  }),
  'analytics-sink': probe(loadSinkConfig),
  'replay-dlq': probe(loadReplayDlqConfig),
  'order-orchestrator': probe(loadOrchestratorConfig, {
    reads: (c) => [{ path: c.policyDir, what: 'the SLA, credit and allocation policies (ODX_ORCHESTRATOR_POLICY_DIR)' }],
  }),
  'webhook-dispatcher': probe(loadWebhookDispatcherConfig),
  'api-gateway': probe(loadApiGatewayConfig),
};

/** The settings every service reads through the runtime (Kafka, registry, MongoDB, HTTP, people's JWTs). */
export function loadServiceRuntimeConfig(service: string, env: NodeJS.ProcessEnv): unknown {
  return loadRuntimeConfig(service, env);
}

/**
 * Secrets that ship in this repository (simulator and demo defaults, Odoo's stock password): a service given one
 * outside a dev or demo profile accepts what anyone who read the code can sign or log in with.
 */
export const KNOWN_DEV_SECRETS: ReadonlyMap<string, string> = knownSecrets([
  [SIM_WMS_WEBHOOK_SECRET, "the WMS simulator's built-in webhook secret"],
  [SIM_TMS_WEBHOOK_SECRET, "the TMS simulator's built-in webhook secret"],
  [DEMO_WEBHOOK_SECRET, "npm start's demo webhook secret"],
  [DEMO_JWT_SECRET, "npm start's demo JWT secret"],
  [DEMO_EDI_TOKEN, "npm start's demo EDI token"],
  ['odx-dev-api-key', "the Odoo simulator's built-in API key"],
  ['sim-admin', "the simulators' built-in admin token"],
  ['admin', "Odoo's stock admin password"],
]);

/** Secret -> every reason it is known (the WMS and TMS simulators share theirs). */
function knownSecrets(entries: [string, string][]): Map<string, string> {
  const known = new Map<string, string>();
  for (const [secret, reason] of entries) known.set(secret, known.has(secret) ? `${known.get(secret)} and ${reason}` : reason);
  return known;
}

/** Why `value` is a known development secret, or undefined. */
export function devSecretReason(value: string): string | undefined {
  return KNOWN_DEV_SECRETS.get(value) ?? (/change[-_]?me/i.test(value) ? 'a placeholder that says "change me"' : undefined);
}
