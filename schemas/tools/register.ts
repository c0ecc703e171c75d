// Registers every event schema under its TopicRecordNameStrategy subject.
// Usage: npm run schemas:register   (registry: ODX_SCHEMA_REGISTRY_URL)
import { pathToFileURL } from 'node:url';
import { DEFAULT_REGISTRY_URL, registerAll } from '../src/index.js';
import { toolArgs } from './tool-args.js';

export { registerAll, type RegisteredSchema } from '../src/index.js';

async function main(): Promise<number> {
  toolArgs('schemas:register', 'npm run schemas:register  (registers every event schema at ODX_SCHEMA_REGISTRY_URL)', { options: {} });
  const url = process.env['ODX_SCHEMA_REGISTRY_URL'] ?? DEFAULT_REGISTRY_URL;
  try {
    const results = await registerAll(url, { onRegistered: (r) => console.log(`${r.subject} -> ${r.id}`) });
    console.log(`registered ${results.length} schemas at ${url}`);
    return 0;
  } catch (err) {
    console.error(`schemas:register: ${(err as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
