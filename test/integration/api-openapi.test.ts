import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALL_EVENTS } from '../helpers/readApiDataset.ts';
import { get, startReadApi, type ReadApiRun } from '../helpers/readApiFixture.ts';
import { openSse } from '../helpers/sseClient.ts';

const ADMIN_KEY = 'openapi-test-admin-key-0123456789';

/** Values of the dataset for each path parameter: every documented path, filled in, names stored logs. */
const FILL: Record<string, string> = {
  channel: 'forsen',
  channelid: '22484632',
  user: 'randers',
  userid: '40286300',
  year: '2024',
  month: '2',
  day: '1',
};

describe('GET /openapi.json', () => {
  let api: ReadApiRun;
  before(async () => (api = await startReadApi(ALL_EVENTS, { now: () => Date.parse('2024-02-02T12:00:00Z'), adminKey: ADMIN_KEY })));
  after(() => api.close());

  it('is an OpenAPI 3.1 document of every route, and every path in it is answered by its handler', async () => {
    // Act
    const answer = await get(`${api.url}/openapi.json`);
    const document = JSON.parse(answer.text) as {
      openapi: string;
      paths: Record<string, { get: { parameters?: { name: string; in: string }[] } }>;
    };
    // Assess: the document
    assert.equal(answer.status, 200);
    assert.equal(document.openapi, '3.1.0');
    const paths = Object.keys(document.paths);
    // justlog's (3 + 2 × 3 + 4 × 3), then ours: search (2 + 4), stats (2), live (2), admin (2)
    assert.equal(paths.length, 3 + 2 * 3 + 4 * 3 + 6 + 2 + 2 + 2, paths.join(' '));
    // Assess: each path, filled with stored names, reaches a handler (logs or a redirect to them)
    for (const path of paths) {
      for (const p of document.paths[path]!.get.parameters ?? [])
        if (p.in === 'path') assert.ok(path.includes(`{${p.name}}`), `${path}: ${p.name}`);
      const query = path === '/list' ? '?channel=forsen' : path.endsWith('/search') ? '?q=chat' : '';
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) => FILL[name]!) + query;
      if (path.endsWith('/live')) {
        const tail = await openSse(`${api.url}${url}`);
        tail.close();
        assert.equal(tail.status, 200, url);
        continue;
      }
      const answer = await get(`${api.url}${url}`, path.startsWith('/admin/') ? { authorization: `Bearer ${ADMIN_KEY}` } : {});
      assert.ok(answer.status === 200 || answer.status === 302, `${url}: ${answer.status}`);
      // Search and the admin route find something: a handler answered, not an empty fallback.
      if (query === '?q=chat' || path.startsWith('/admin/')) assert.ok(answer.text.length > 0, url);
    }
  });

  it('GET /docs is an HTML page naming every route of the document, with its parameters, and nothing unescaped', async () => {
    // Act
    const [page, spec] = await Promise.all([get(`${api.url}/docs`), get(`${api.url}/openapi.json`)]);
    const document = JSON.parse(spec.text) as { paths: Record<string, { get: { summary: string; parameters?: { name: string }[] } }> };
    // Assess
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    for (const [path, { get: op }] of Object.entries(document.paths)) {
      assert.ok(page.text.includes(`<code>${path}</code>`), path);
      assert.ok(
        page.text.includes(
          op.summary.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'),
        ),
        op.summary,
      );
      for (const p of op.parameters ?? []) assert.ok(page.text.includes(`<code>${p.name}</code>`), `${path} ${p.name}`);
    }
    assert.ok(!/<script/i.test(page.text), 'no script: the page works offline');
    assert.ok(
      page.text.includes('{&quot;availableLogs&quot;') || page.text.includes('{&quot;messages&quot;'),
      'JSON in descriptions is escaped',
    );
  });
});
