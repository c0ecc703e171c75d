import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { RegistryClient, RegistryError, type RegistryErrorKind } from '../src/index.js';

interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Answer {
  status: number;
  body?: unknown;
  /** Never answer (for timeouts). */
  hang?: boolean;
}

/** A local HTTP server answering each request with `answer(request)`; records what it was sent. */
async function server(t: TestContext, answer: (req: SeenRequest) => Answer): Promise<{ url: string; seen: SeenRequest[] }> {
  const seen: SeenRequest[] = [];
  const srv = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(request);
      const a = answer(request);
      if (a.hang) return;
      res.writeHead(a.status, { 'content-type': typeof a.body === 'string' ? 'text/html' : 'application/vnd.schemaregistry.v1+json' });
      res.end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    srv.closeAllConnections();
    return new Promise<void>((resolve) => srv.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/apis/ccompat/v7/`, seen };
}

/** A port nothing listens on: listen, note the port, close. */
async function closedPortUrl(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return `http://127.0.0.1:${port}/apis/ccompat/v7`;
}

function isRegistryError(kind: RegistryErrorKind, status: number, message: RegExp, errorCode?: number): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof RegistryError, `expected a RegistryError, got ${String(err)}`);
    assert.equal(err.kind, kind);
    assert.equal(err.status, status);
    assert.equal(err.canRetry, kind === 'unavailable');
    if (errorCode !== undefined) assert.equal(err.errorCode, errorCode);
    assert.match(err.message, message);
    return true;
  };
}

const schema = { type: 'record', name: 'Probe', namespace: 'test.odx', fields: [{ name: 'id', type: 'string' }] };
const subject = 'odx.test.v1-test.odx.Probe';

describe('RegistryClient requests', () => {
  it('register posts the Avro schema to the subject, with basic auth, and returns the id', async (t) => {
    const { url, seen } = await server(t, () => ({ status: 200, body: { id: 42 } }));
    const client = new RegistryClient({ url, auth: { username: 'odx', password: 's3cret:x' } });
    assert.equal(await client.register(subject, schema), 42);
    const [req] = seen;
    assert.equal(req?.method, 'POST');
    assert.equal(req?.url, `/apis/ccompat/v7/subjects/${encodeURIComponent(subject)}/versions`);
    assert.equal(req?.headers['content-type'], 'application/vnd.schemaregistry.v1+json');
    assert.equal(req?.headers.authorization, `Basic ${Buffer.from('odx:s3cret:x').toString('base64')}`);
    const body = JSON.parse(req?.body ?? '{}') as { schemaType: string; schema: string };
    assert.equal(body.schemaType, 'AVRO');
    assert.deepEqual(JSON.parse(body.schema), schema);
  });

  it('sends no authorization header without credentials', async (t) => {
    const { url, seen } = await server(t, () => ({ status: 200, body: { id: 1 } }));
    await new RegistryClient({ url }).register(subject, schema);
    assert.equal(seen[0]?.headers.authorization, undefined);
  });

  it('schemaById gets /schemas/ids/{id}; Avro when the registry names no type', async (t) => {
    const text = JSON.stringify(schema);
    const { url, seen } = await server(t, (req) =>
      req.url.endsWith('/7') ? { status: 200, body: { schema: text } } : { status: 200, body: { schema: '{}', schemaType: 'JSON' } },
    );
    const client = new RegistryClient({ url });
    assert.deepEqual(await client.schemaById(7), { id: 7, schemaType: 'AVRO', schema: text });
    assert.equal((await client.schemaById(8)).schemaType, 'JSON');
    assert.equal(seen[0]?.method, 'GET');
    assert.equal(seen[0]?.url, '/apis/ccompat/v7/schemas/ids/7');
  });

  it('testCompatibility posts against the latest version and reads the verdict', async (t) => {
    const { url, seen } = await server(t, () => ({
      status: 200,
      body: { is_compatible: false, messages: ['reader field "x" has no default'] },
    }));
    const result = await new RegistryClient({ url }).testCompatibility(subject, schema);
    assert.deepEqual(result, { compatible: false, messages: ['reader field "x" has no default'] });
    assert.equal(seen[0]?.method, 'POST');
    assert.equal(seen[0]?.url, `/apis/ccompat/v7/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`);
  });

  it('testCompatibility: a subject without versions has nothing to be compatible with', async (t) => {
    const { url } = await server(t, () => ({ status: 404, body: { error_code: 40401, message: `Subject '${subject}' not found.` } }));
    assert.equal(await new RegistryClient({ url }).testCompatibility(subject, schema), undefined);
  });
});

describe('RegistryClient error kinds', () => {
  it('unreachable registry: unavailable, status 0, names the URL and the reason', async () => {
    const url = await closedPortUrl();
    await assert.rejects(
      new RegistryClient({ url }).schemaById(1),
      isRegistryError(
        'unavailable',
        0,
        /^schema id 1: cannot reach the schema registry at http:\/\/127\.0\.0\.1:\d+\/apis\/ccompat\/v7\/schemas\/ids\/1: fetch failed \(ECONNREFUSED\)$/,
      ),
    );
  });

  it('no answer within the timeout: unavailable', async (t) => {
    const { url } = await server(t, () => ({ status: 200, hang: true }));
    const client = new RegistryClient({ url, timeoutMs: 100 });
    await assert.rejects(client.register(subject, schema), isRegistryError('unavailable', 0, /did not answer within 100 ms/));
  });

  it('5xx, 408 and 429 are unavailable, with the registry message', async (t) => {
    for (const status of [500, 503, 408, 429]) {
      const { url } = await server(t, () => ({ status, body: { error_code: status * 100 + 1, message: 'storage is down' } }));
      await assert.rejects(
        new RegistryClient({ url }).register(subject, schema),
        isRegistryError('unavailable', status, new RegExp(`^${subject}: HTTP ${status} \\(error ${status * 100 + 1}\\): storage is down$`)),
      );
    }
  });

  it('a proxy error page keeps its text in the message', async (t) => {
    const { url } = await server(t, () => ({ status: 502, body: '<html>Bad Gateway</html>' }));
    await assert.rejects(
      new RegistryClient({ url }).schemaById(3),
      isRegistryError('unavailable', 502, /^schema id 3: HTTP 502: <html>Bad Gateway<\/html>$/),
    );
  });

  it('404 / 40403 for a schema id is not-found', async (t) => {
    const { url } = await server(t, () => ({ status: 404, body: { error_code: 40403, message: 'Schema 99 not found.' } }));
    const err = await new RegistryClient({ url }).schemaById(99).catch((e: unknown) => e);
    assert.ok(isRegistryError('not-found', 404, /^schema id 99: HTTP 404 \(error 40403\): Schema 99 not found\.$/, 40403)(err));
    assert.equal((err as RegistryError).subject, undefined);
  });

  it('404 / 40401 for a subject is not-found and carries the subject', async (t) => {
    const { url } = await server(t, () => ({ status: 404, body: { error_code: 40401, message: 'Subject not found.' } }));
    const err = await new RegistryClient({ url }).register(subject, schema).catch((e: unknown) => e);
    assert.ok(isRegistryError('not-found', 404, /Subject not found/, 40401)(err));
    assert.equal((err as RegistryError).subject, subject);
  });

  it('other 4xx (409 incompatible, 422 invalid, 401 credentials) are rejected', async (t) => {
    for (const [status, code, message] of [
      [409, 409, 'Schema being registered is incompatible with an earlier schema'],
      [422, 42201, 'Invalid schema'],
      [401, 401, 'Unauthorized'],
    ] as const) {
      const { url } = await server(t, () => ({ status, body: { error_code: code, message } }));
      await assert.rejects(
        new RegistryClient({ url }).register(subject, schema),
        isRegistryError('rejected', status, new RegExp(`^${subject}: HTTP ${status} \\(error ${code}\\): ${message}$`), code),
      );
    }
  });

  it('a success answer without an id or schema is rejected', async (t) => {
    const { url } = await server(t, () => ({ status: 200, body: { hello: 'proxy' } }));
    const client = new RegistryClient({ url });
    await assert.rejects(
      client.register(subject, schema),
      isRegistryError('rejected', 200, /answered without a schema id: \{"hello":"proxy"\}/),
    );
    await assert.rejects(client.schemaById(5), isRegistryError('rejected', 200, /^schema id 5: the registry answered without a schema/));
  });
});
