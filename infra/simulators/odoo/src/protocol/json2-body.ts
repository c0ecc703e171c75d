import { jsonDepthExceeds } from '@odx/runtime/http';
import { httpError } from '../errors.js';
import { CODEC_LIMIT_SETTINGS } from './codec-limits.js';
import { jsonErrorMessage } from './json-body.js';

/**
 * Reads a JSON-2 body into its named arguments (an empty body: none). Throws a BadRequest OdooError for a body
 * nested deeper than `maxDepth` (found before parsing, in one linear pass), JSON that does not parse, and a body
 * that is not an object.
 */
export function readJson2Body(raw: string, maxDepth: number): Record<string, unknown> {
  if (raw.length === 0) return {};
  if (jsonDepthExceeds(raw, maxDepth))
    throw httpError(
      'BadRequest',
      `could not parse the body as json: nested deeper than ${maxDepth} levels (the cap; setting ${CODEC_LIMIT_SETTINGS.maxJsonDepth})`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw httpError('BadRequest', `could not parse the body as json: ${jsonErrorMessage(raw, err)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw httpError('BadRequest', 'could not parse the body, expecting a json object');
  return parsed as Record<string, unknown>;
}
