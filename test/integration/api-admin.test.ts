import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '../../core/errors.ts';
import { loadApiConfig } from '../../services/api/loadApiConfig.ts';
import { ALL_EVENTS, E } from '../helpers/readApiDataset.ts';
import { get, startReadApi, type ReadApiRun } from '../helpers/readApiFixture.ts';

/** `/admin/user/{login}` and `/admin/userid/{id}` (docs/read-api.md, "Admin"): one user in every channel, behind API_ADMIN_KEY. */
const KEY = 'k3y-0f-the-0perat0r-123456789';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const ids = (body: string) => (JSON.parse(body) as { messages: { id: string }[] }).messages.map((m) => m.id);
/** randers in sent_at order across pajlada and forsen: what they sent (no ban or timeout targets them). */
const RANDERS = [E.m1, E.f1, E.resub, E.clearmsg, E.action, E.m3, E.m4].map((e) => e.event_id);

describe('the admin user route with API_ADMIN_KEY set', () => {
  let api: ReadApiRun;
  before(async () => (api = await startReadApi(ALL_EVENTS, { adminKey: KEY, now: () => Date.parse('2024-03-05T12:00:00Z') })));
  after(() => api.close());

  it("answers a user's events in every channel, in sent_at order, by login or id, never cached", async () => {
    for (const path of ['/admin/user/randers', '/admin/user/RANDERS', '/admin/userid/40286300']) {
      const answer = await get(`${api.url}${path}?json`, bearer(KEY));
      assert.equal(answer.status, 200, `${path}: ${answer.text}`);
      assert.equal(answer.headers['cache-control'], 'private, no-store');
      // A CLEARMSG names the author's login but carries no user id.
      const expected = path.includes('userid') ? RANDERS.filter((id) => id !== E.clearmsg.event_id) : RANDERS;
      assert.deepEqual(ids(answer.text), expected, path);
    }
  });

  it('includes the bans and timeouts of the user, and takes from/to, reverse, limit and the text format', async () => {
    const junior = await get(`${api.url}/admin/user/jun1orrrr?json`, bearer(KEY));
    assert.deepEqual(
      ids(junior.text),
      [E.m2, E.f2, E.timeout].map((e) => e.event_id),
    );
    const narrowed = await get(
      `${api.url}/admin/user/randers?json&from=2024-02-01T09:00:00Z&to=2024-02-02T00:00:00Z&reverse&limit=2`,
      bearer(KEY),
    );
    assert.deepEqual(
      ids(narrowed.text),
      [E.action, E.clearmsg].map((e) => e.event_id),
    );
    const text = await get(`${api.url}/admin/user/randers?to=2024-02-01T10:00:00Z&from=2024-01-01T00:00:00Z`, bearer(KEY));
    assert.equal(text.text, '[2024-01-31 23:59:59] #pajlada randers: last of january\n[2024-02-1 09:30:00] #forsen randers: forsen chat\n');
  });

  it('answers 401 without the key or with a wrong one, 404 for a user with no logs, 400 for bad parameters', async () => {
    for (const headers of [{}, bearer(`${KEY}x`), bearer(KEY.slice(0, -1)), { authorization: KEY }, { authorization: `Basic ${KEY}` }]) {
      const answer = await get(`${api.url}/admin/user/randers`, headers);
      assert.equal(answer.status, 401, JSON.stringify(headers));
      assert.equal(answer.headers['www-authenticate'], 'Bearer realm="poglytics admin"');
      assert.doesNotMatch(answer.text, /randers:/);
    }
    assert.equal((await get(`${api.url}/admin/user/nobody`, bearer(KEY))).status, 404);
    assert.equal((await get(`${api.url}/admin/userid/1`, bearer(KEY))).status, 404);
    assert.equal((await get(`${api.url}/admin/user/randers?from=soon`, bearer(KEY))).status, 400);
  });
});

describe('without API_ADMIN_KEY', () => {
  let api: ReadApiRun;
  before(async () => (api = await startReadApi(ALL_EVENTS)));
  after(() => api.close());

  it('the admin route does not exist, whatever the request carries', async () => {
    for (const headers of [{}, bearer(KEY), bearer('undefined')]) {
      const answer = await get(`${api.url}/admin/user/randers`, headers);
      assert.equal(answer.status, 404);
      assert.equal(answer.text, 'Not found\n');
    }
  });

  it('no public route searches a user across channels', async () => {
    for (const path of ['/user/randers', '/userid/40286300', '/search?q=first', '/channel/user/randers/search?q=first']) {
      assert.equal((await get(`${api.url}${path}`)).status, 404, path);
    }
  });
});

describe('API_ADMIN_KEY', () => {
  it('is optional, and refused when short or with spaces, naming the setting', () => {
    assert.equal(loadApiConfig({}).adminKey, undefined);
    assert.equal(loadApiConfig({ API_ADMIN_KEY: ` ${KEY} ` }).adminKey, KEY);
    for (const value of ['short', `${KEY} more`]) {
      assert.throws(
        () => loadApiConfig({ API_ADMIN_KEY: value }),
        (error: unknown) =>
          error instanceof ConfigError && error.setting === 'API_ADMIN_KEY' && /at least 24 characters/.test(error.message),
      );
    }
  });
});
