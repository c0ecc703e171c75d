import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { generateTypes, GENERATED_TYPES_FILE, schemaRepository, SchemaRepository, SchemaSourceError } from '../src/index.js';

const meta = {
  path: 'common/EventMeta.avsc',
  text: JSON.stringify({ type: 'record', name: 'EventMeta', namespace: 'com.odx.common', fields: [] }),
};
const load = (...sources: Array<{ path: string; text: unknown }>) =>
  SchemaRepository.fromSources(sources.map((s) => ({ path: s.path, text: typeof s.text === 'string' ? s.text : JSON.stringify(s.text) })));
const rejects = (pattern: RegExp, ...sources: Array<{ path: string; text: unknown }>) =>
  assert.throws(
    () => load(...sources),
    (err: unknown) => err instanceof SchemaSourceError && pattern.test(err.message),
  );

describe('schema sources', () => {
  it('generated types are up to date (run npm run schemas:gen)', () => {
    assert.equal(readFileSync(GENERATED_TYPES_FILE, 'utf8'), generateTypes(schemaRepository()));
  });

  it('inlines a named type at first use and references it afterwards', () => {
    const repo = load(
      meta,
      {
        path: 'common/Money.avsc',
        text: { type: 'record', name: 'Money', namespace: 'com.odx.common', fields: [{ name: 'amount', type: 'string' }] },
      },
      {
        path: 'events/Paid.avsc',
        text: {
          type: 'record',
          name: 'Paid',
          namespace: 'com.odx.events',
          fields: [
            { name: 'meta', type: 'com.odx.common.EventMeta' },
            { name: 'a', type: 'com.odx.common.Money' },
            { name: 'b', type: ['null', 'com.odx.common.Money'], default: null },
          ],
        },
      },
    );
    const schema = repo.eventSchema('Paid');
    assert.deepEqual(schema.fields[1]?.type, {
      type: 'record',
      name: 'Money',
      namespace: 'com.odx.common',
      fields: [{ name: 'amount', type: 'string' }],
    });
    assert.deepEqual(schema.fields[2]?.type, ['null', 'com.odx.common.Money']);
  });

  it('rejects rule breaks with the file named', () => {
    const ev = (fields: object[]) => ({ path: 'events/E.avsc', text: { type: 'record', name: 'E', namespace: 'com.odx.events', fields } });
    rejects(/events\/E.avsc: .*first field must be \{"name": "meta"/, meta, ev([{ name: 'id', type: 'string' }]));
    rejects(
      /unknown type "com.odx.common.Nope"/,
      meta,
      ev([
        { name: 'meta', type: 'com.odx.common.EventMeta' },
        { name: 'x', type: 'com.odx.common.Nope' },
      ]),
    );
    rejects(
      /nullable field must be \["null", T\] with "default": null/,
      meta,
      ev([
        { name: 'meta', type: 'com.odx.common.EventMeta' },
        { name: 'x', type: ['null', 'string'] },
      ]),
    );
    rejects(/needs a "default" symbol/, meta, {
      path: 'common/S.avsc',
      text: { type: 'enum', name: 'S', namespace: 'com.odx.common', symbols: ['A'] },
    });
    rejects(/must define com.odx.common.Other/, meta, {
      path: 'common/Other.avsc',
      text: { type: 'record', name: 'Wrong', namespace: 'com.odx.common', fields: [] },
    });
    rejects(/schema files must be common\/<Name>.avsc or events\/<Name>.avsc/, meta, { path: 'misc/X.avsc', text: {} });
    rejects(/invalid JSON/, meta, { path: 'common/X.avsc', text: '{' });
  });

  it('the real sources load, every event in com.odx.events', () => {
    const repo = schemaRepository();
    assert.equal(repo.eventTypes.length, 39);
    assert.ok(repo.namedTypes().every((d) => d.fullName.startsWith('com.odx.common.') || d.fullName.startsWith('com.odx.events.')));
  });
});
