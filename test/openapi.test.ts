/** docs/openapi.json: current with the route schemas, served as-is, and a valid OpenAPI 3.1 document. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { openApiDocument } from '../src/http/openapi-document.js';
import { serializeOpenApi } from '../src/http/openapi.js';
import { removeDir, startServer } from './support/server.js';

const COMMITTED = readFileSync(new URL('../docs/openapi.json', import.meta.url), 'utf8');

type Doc = { paths: Record<string, Record<string, { responses: Record<string, { headers?: Record<string, unknown>; content?: unknown }> }>> };

describe('OpenAPI document', () => {
  test('docs/openapi.json is what the route schemas generate (else: npm run openapi)', async () => {
    assert.equal(serializeOpenApi(await openApiDocument()), COMMITTED, 'docs/openapi.json is stale: run `npm run openapi`');
  });

  test('the running service serves the same document at /openapi.json', async () => {
    const server = await startServer();
    try {
      const res = await fetch(`${server.url}/openapi.json`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), JSON.parse(COMMITTED));
    } finally {
      await server.stop();
      removeDir(server.dataDir);
    }
  });

  test('it is a valid OpenAPI 3.1 document (and the validator does refuse a broken one)', async () => {
    type Spec = Parameters<Validator['validate']>[0];
    const result = await new Validator().validate(JSON.parse(COMMITTED) as Spec);
    assert.deepEqual(result.errors, undefined);
    assert.equal(result.valid, true);
    const broken = JSON.parse(COMMITTED) as Record<string, unknown>;
    delete broken.info;
    assert.equal((await new Validator().validate(broken as Spec)).valid, false);
  });

  test('describes every endpoint with its statuses and the headers clients rely on', () => {
    const doc = JSON.parse(COMMITTED) as Doc;
    const p = doc.paths;
    assert.deepEqual(Object.keys(p['/user/login']!.post!.responses), ['200', '400', '401', '413', '415', '429', '503', '4XX']);
    assert.ok(p['/user/login']!.post!.responses['429']!.headers?.['Retry-After']);
    assert.ok(p['/user/logout']!.post!.responses['204']);
    assert.equal(p['/user/logout']!.post!.responses['204']!.content, undefined, '204 has no body');
    assert.ok(p['/user/logout']!.post!.responses['401']!.headers?.['WWW-Authenticate']);
    assert.ok(p['/user/logout_all']!.post!.responses['204']);
    for (const method of ['get', 'post', 'head']) {
      assert.ok(p['/user/verify']![method]!.responses['200']!.headers?.['X-Auth-UserId'], method);
      assert.ok(p['/user/verify']![method]!.responses['401']!.headers?.['WWW-Authenticate'], method);
    }
    for (const path of ['/healthz', '/readyz', '/metrics']) assert.ok(p[path]?.get, path);
    assert.ok(p['/readyz']!.get!.responses['503']);
  });

  test('names every operation once and says who may call it', () => {
    const doc = JSON.parse(COMMITTED) as { paths: Record<string, Record<string, { operationId?: string; security?: unknown }>> };
    const ops = Object.values(doc.paths).flatMap((item) => Object.values(item));
    const ids = ops.map((op) => op.operationId);
    assert.ok(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]*$/.test(id)), `operationIds: ${ids.join(', ')}`);
    assert.equal(new Set(ids).size, ids.length, `duplicate operationIds: ${ids.join(', ')}`);
    const op = (id: string) => ops.find((o) => o.operationId === id)!;
    assert.deepEqual(op('logoutAll').security, [{ bearerAuth: [] }, { gatewayUser: [] }]);
    assert.deepEqual(op('logout').security, [{ bearerAuth: [] }]);
    for (const id of ['verify', 'verifyPost', 'verifyHead']) assert.deepEqual(op(id).security, [{ bearerAuth: [] }, { sessionCookie: [] }], id);
    for (const id of ['login', 'healthz', 'readyz', 'metrics', 'accountPage']) assert.deepEqual(op(id).security, [], id);
  });
});
