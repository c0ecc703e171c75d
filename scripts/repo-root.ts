import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root. */
export const REPO_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
