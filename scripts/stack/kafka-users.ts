// The local Kafka's SCRAM users: an admin (the broker's super user, which the
// launcher, the tests and the operator tools use) and one user per service
// (`odx-<service>`, limited by the catalog's ACLs). Passwords are made once
// per ODX_HOME and kept in a 0600 file next to Kafka's data.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { servicePrincipal } from '@odx/runtime';
import { loadCatalog } from '@odx/schemas';
import { StackError } from './errors.js';

export const KAFKA_ADMIN_USER = 'odx-admin';
/** The SCRAM mechanism of the local broker (and the ODX_KAFKA_SASL_MECHANISM value clients use). */
export const SCRAM_MECHANISM = 'SCRAM-SHA-512';

export interface KafkaUsersFile {
  /** User name -> password. */
  passwords: Record<string, string>;
  /** Users the broker is known to hold (created at format or added afterwards). */
  inKafka: string[];
}

/** Every user the stack keeps: the admin and one per catalog service. */
export function wantedKafkaUsers(): string[] {
  return [KAFKA_ADMIN_USER, ...loadCatalog().services.map(servicePrincipal)];
}

/** Reads the users file; undefined when there is none yet. */
export function readKafkaUsers(file: string): KafkaUsersFile | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<KafkaUsersFile>;
    const passwords = parsed.passwords ?? {};
    if (typeof passwords !== 'object' || Object.values(passwords).some((p) => typeof p !== 'string'))
      throw new Error('"passwords" must map user names to strings');
    return { passwords, inKafka: Array.isArray(parsed.inKafka) ? parsed.inKafka.filter((n) => typeof n === 'string') : [] };
  } catch (error) {
    throw new StackError(
      `${file} is not a Kafka users file the launcher wrote (${(error as Error).message}); delete it and wipe Kafka's data (npm run stack -- down --wipe kafka)`,
      {
        reason: 'invalid-config',
      },
    );
  }
}

/** The users file with a password for every wanted user (new ones are generated and saved). */
export function ensureKafkaUsers(file: string): KafkaUsersFile {
  const users = readKafkaUsers(file) ?? { passwords: {}, inKafka: [] };
  let changed = false;
  for (const name of wantedKafkaUsers()) {
    if (users.passwords[name] !== undefined) continue;
    users.passwords[name] = randomBytes(24).toString('base64url');
    changed = true;
  }
  if (changed || !existsSync(file)) saveKafkaUsers(file, users);
  return users;
}

/** Records that the broker holds `names`. */
export function markInKafka(file: string, users: KafkaUsersFile, names: readonly string[]): void {
  users.inKafka = [...new Set([...users.inKafka, ...names])].sort();
  saveKafkaUsers(file, users);
}

/** Forgets which users the broker holds (its data was wiped or formatted again). */
export function forgetInKafka(file: string, users: KafkaUsersFile): void {
  users.inKafka = [];
  saveKafkaUsers(file, users);
}

function saveKafkaUsers(file: string, users: KafkaUsersFile): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(users, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** The client settings of one user, as ODX_KAFKA_SASL_* variables. */
export function kafkaSaslEnv(username: string, password: string): Record<string, string> {
  return { ODX_KAFKA_SASL_MECHANISM: SCRAM_MECHANISM.toLowerCase(), ODX_KAFKA_SASL_USERNAME: username, ODX_KAFKA_SASL_PASSWORD: password };
}

/** Where endpointsEnv names the users file for the processes `npm start` and `npm test` run. */
export const KAFKA_USERS_ENV = 'ODX_STACK_KAFKA_USERS';

/**
 * A service's own Kafka login when `stackEnv` comes from a stack with SASL users (ODX_STACK_KAFKA_USERS names their
 * file), replacing the admin login endpointsEnv gives; nothing otherwise (a plaintext or external Kafka).
 */
export function serviceKafkaEnv(stackEnv: Record<string, string | undefined>, service: string): Record<string, string> {
  const file = stackEnv[KAFKA_USERS_ENV];
  if (!file) return {};
  const users = readKafkaUsers(file);
  const name = servicePrincipal(service);
  const password = users?.passwords[name];
  if (password === undefined)
    throw new StackError(`${file} has no Kafka user ${name}; run \`npm run stack -- up\` to create the users of every catalog service`, {
      reason: 'invalid-config',
    });
  return kafkaSaslEnv(name, password);
}
