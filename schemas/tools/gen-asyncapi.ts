// Writes schemas/asyncapi.yaml from the topic catalog and the Avro schemas.
// Usage: npm run asyncapi:gen [-- --check]   (--check: exit 1 when the file is stale)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { asyncApiDocument } from '../src/asyncapi-file.js';
import { ASYNCAPI_FILE } from '../src/paths.js';
import { toolArgs } from './tool-args.js';

function main(): number {
  const { values } = toolArgs('asyncapi:gen', 'npm run asyncapi:gen [-- --check]  (--check: exit 1 when schemas/asyncapi.yaml is stale)', {
    options: { check: { type: 'boolean', default: false } },
  });
  const text = asyncApiDocument();
  const current = existsSync(ASYNCAPI_FILE) ? readFileSync(ASYNCAPI_FILE, 'utf8') : undefined;
  const target = relative(process.cwd(), ASYNCAPI_FILE);
  if (current === text) {
    console.log(`${target} is up to date`);
    return 0;
  }
  if (values.check) {
    console.error(`${target} is out of date; run npm run asyncapi:gen`);
    return 1;
  }
  writeFileSync(ASYNCAPI_FILE, text);
  console.log(`wrote ${target}`);
  return 0;
}

try {
  process.exitCode = main();
} catch (err) {
  console.error(`asyncapi:gen: ${(err as Error).message}`);
  process.exitCode = 1;
}
