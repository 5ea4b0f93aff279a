import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { ALL_EVENTS, E } from '../helpers/readApiDataset.ts';
import { get, startReadApi, type ReadApiRun } from '../helpers/readApiFixture.ts';

/** /channels, /list, /capabilities and the HTTP around every route (docs/read-api.md). */
let api: ReadApiRun;
before(async () => {
  api = await startReadApi(ALL_EVENTS, {
    now: () => Date.parse('2024-02-02T12:00:00Z'),
    optedOut: ({ channel, user }) =>
      channel === 'forsen' && user === undefined
        ? null
        : user && 'login' in user && user.login === 'tetyys'
          ? 'user'
          : channel === 'optedout'
            ? 'channel'
            : null,
  });
});
after(() => api.close());

describe('index routes', () => {
  it('/channels lists every channel with its room id, never the global "*"', async () => {
    const answer = await get(`${api.url}/channels`);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(JSON.parse(answer.text), {
      channels: [
        { name: 'forsen', userID: '22484632' },
        { name: 'pajlada', userID: '11148817' },
      ],
    });
  });

  it('/list gives the days of a channel and the months of a user, newest first, as strings', async () => {
    const days = {
      availableLogs: [
        { year: '2024', month: '3', day: '5' },
        { year: '2024', month: '2', day: '2' },
        { year: '2024', month: '2', day: '1' },
        { year: '2024', month: '1', day: '31' },
      ],
    };
    assert.deepEqual(JSON.parse((await get(`${api.url}/list?channel=pajlada`)).text), days);
    assert.deepEqual(JSON.parse((await get(`${api.url}/list?channelid=11148817`)).text), days);
    const months = {
      availableLogs: [
        { year: '2024', month: '3' },
        { year: '2024', month: '2' },
        { year: '2024', month: '1' },
      ],
    };
    assert.deepEqual(JSON.parse((await get(`${api.url}/list?channel=pajlada&user=randers`)).text), months);
    assert.deepEqual(JSON.parse((await get(`${api.url}/list?channel=pajlada&userid=29803735`)).text), {
      availableLogs: [{ year: '2024', month: '2' }],
    });
    assert.deepEqual(JSON.parse((await get(`${api.url}/list?channel=forsen`)).text), {
      availableLogs: [{ year: '2024', month: '2', day: '1' }],
    });
  });

  it('/list refuses: no channel 400, unknown channel or user 404', async () => {
    assert.equal((await get(`${api.url}/list`)).status, 400);
    assert.equal((await get(`${api.url}/list?channel=nobody`)).status, 404);
    assert.equal((await get(`${api.url}/list?channel=pajlada&user=nobody`)).status, 404);
  });

  it('/capabilities and the x-rustlog-capabilities header on every answer, errors and redirects included', async () => {
    assert.deepEqual(JSON.parse((await get(`${api.url}/capabilities`)).text), ['arbitrary-range-query']);
    for (const path of ['/channels', '/channel/pajlada', '/channel/pajlada/2024/2/1', '/nothing', '/channel/pajlada/2024/2/31']) {
      assert.equal((await get(`${api.url}${path}`)).headers['x-rustlog-capabilities'], 'arbitrary-range-query', path);
    }
  });
});

describe('HTTP', () => {
  it('CORS: any origin, and a preflight answered without a body', async () => {
    assert.equal((await get(`${api.url}/channel/pajlada/2024/2/1`)).headers['access-control-allow-origin'], '*');
    const preflight = await fetch(`${api.url}/channel/pajlada/2024/2/1`, { method: 'OPTIONS' });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /GET/);
    assert.equal((await fetch(`${api.url}/channels`, { method: 'POST' })).status, 405);
  });

  it('brotli or gzip by Accept-Encoding, the same bytes once decompressed', async () => {
    const plain = await get(`${api.url}/channel/pajlada/2024/2/1?raw`);
    assert.equal(plain.headers['content-encoding'], undefined);
    const br = await get(`${api.url}/channel/pajlada/2024/2/1?raw`, { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers.vary, 'Accept-Encoding');
    assert.ok(brotliDecompressSync(br.bytes).equals(plain.bytes));
    const gzip = await get(`${api.url}/channel/pajlada/2024/2/1?raw`, { 'accept-encoding': 'gzip, br;q=0' });
    assert.equal(gzip.headers['content-encoding'], 'gzip');
    assert.ok(gunzipSync(gzip.bytes).equals(plain.bytes));
  });

  it('a range that has ended is cacheable, one still open is not', async () => {
    // The clock stands at 2024-02-02 12:00 UTC.
    assert.equal((await get(`${api.url}/channel/pajlada/2024/2/1`)).headers['cache-control'], 'public, max-age=36000');
    assert.equal((await get(`${api.url}/channel/pajlada/2024/2/2`)).headers['cache-control'], 'no-cache');
    assert.equal((await get(`${api.url}/channel/pajlada/user/randers/2024/1`)).headers['cache-control'], 'public, max-age=36000');
    assert.equal((await get(`${api.url}/channel/pajlada/user/randers/2024/2`)).headers['cache-control'], 'no-cache');
    assert.equal(
      (await get(`${api.url}/channel/pajlada?from=2024-02-01T00:00:00Z&to=2024-02-02T12:00:00Z`)).headers['cache-control'],
      'public, max-age=36000',
    );
    assert.equal(
      (await get(`${api.url}/channel/pajlada?from=2024-02-01T00:00:00Z&to=2024-02-02T12:00:00.001Z`)).headers['cache-control'],
      'no-cache',
    );
    assert.equal((await get(`${api.url}/channel/pajlada`)).headers['cache-control'], 'no-cache');
  });

  it('403 for an opted-out user, in logs and in /list', async () => {
    const logs = await get(`${api.url}/channel/pajlada/user/tetyys/2024/2`);
    assert.equal(logs.status, 403);
    assert.equal(logs.text, 'The requested user has opted out of being logged\n');
    assert.equal((await get(`${api.url}/list?channel=pajlada&user=tetyys`)).status, 403);
    assert.equal((await get(`${api.url}/channel/pajlada/user/randers/2024/2`)).status, 200);
    assert.ok((await get(`${api.url}/channel/pajlada/2024/2/1?raw`)).text.includes(E.ban.raw), 'the channel log still shows the ban');
  });
});

describe('poglytics serve', () => {
  it('refuses a bad setting with one line naming it, exit 2', () => {
    for (const [env, message] of [
      [{ API_HOST: 'not a host!' }, /^poglytics serve: API_HOST: must be an IP address or a host name/],
      [{ API_PORT: 'http' }, /^poglytics serve: API_PORT: must be an integer/],
    ] as const) {
      const result = spawnSync(process.execPath, ['bin/poglytics.js', 'serve'], {
        env: { ...process.env, ...env, SQLITE_PATH: api.path },
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    }
  });

  // The command serves a SQLite file; the Postgres and chdb runs of this file (api-compat-*) store elsewhere.
  const otherSink = (process.env.READ_API_SINK ?? 'sqlite') !== 'sqlite' && 'the fixture stored into another sink';
  it('serves the SQLite file on API_HOST:API_PORT and stops on SIGTERM', { skip: otherSink }, async () => {
    const child = spawn(process.execPath, ['bin/poglytics.js', 'serve'], {
      env: { ...process.env, API_PORT: '0', API_HOST: '127.0.0.1', SQLITE_PATH: api.path },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      while (!/\n/.test(out)) out += (await once(child.stdout, 'data'))[0] as string;
      const base = /read api: (http:\/\/127\.0\.0\.1:\d+)\/channels/.exec(out)?.[1];
      assert.ok(base, out);
      const answer = await get(`${base}/channel/pajlada/2024/3/5`);
      assert.equal(answer.text, '[2024-03-5 10:00:00] #pajlada randers: march\n');
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
