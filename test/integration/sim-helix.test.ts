import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../../services/twitch-sim/startSimulator.ts';

const CLIENT_ID = 'test-client';
const CLIENT_SECRET = 'test-secret';
const STREAMS = 10_000;

interface Stream {
  user_id: string;
  user_login: string;
  viewer_count: number;
  type: string;
  started_at: string;
  thumbnail_url: string;
  tag_ids: unknown[];
  tags: unknown[];
}
interface Page {
  data: Stream[];
  pagination: { cursor?: string };
}

async function token(sim: Simulator, secret = CLIENT_SECRET): Promise<Response> {
  return fetch(`${sim.authUrl}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLIENT_ID, client_secret: secret, grant_type: 'client_credentials' }),
  });
}

async function accessToken(sim: Simulator): Promise<string> {
  const res = await token(sim);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { access_token: string; expires_in: number; token_type: string };
  assert.equal(body.token_type, 'bearer');
  assert.ok(body.expires_in > 0);
  return body.access_token;
}

/** The smallest client that pages like the refresher: backs off on 429 until Ratelimit-Reset, dedupes by user_id. */
async function pageAll(
  sim: Simulator,
  bearer: string,
): Promise<{ pages: Page[]; unique: Map<string, Stream>; seen: number; throttled: number }> {
  const pages: Page[] = [];
  const unique = new Map<string, Stream>();
  let cursor: string | undefined;
  let seen = 0;
  let throttled = 0;
  for (let requests = 0; requests < 1000; requests++) {
    const url = `${sim.helixUrl}/streams?first=100${cursor ? `&after=${encodeURIComponent(cursor)}` : ''}`;
    const res = await fetch(url, { headers: { 'Client-Id': CLIENT_ID, Authorization: `Bearer ${bearer}` } });
    const limit = Number(res.headers.get('ratelimit-limit'));
    const remaining = Number(res.headers.get('ratelimit-remaining'));
    const reset = Number(res.headers.get('ratelimit-reset'));
    assert.equal(limit, sim.options.helix.rateLimit?.points, 'Ratelimit-Limit');
    assert.ok(remaining >= 0 && remaining <= limit, 'Ratelimit-Remaining within the limit');
    assert.ok(Number.isInteger(reset) && reset >= Math.floor(Date.now() / 1000) - 1, 'Ratelimit-Reset is an epoch second');
    if (res.status === 429) {
      throttled++;
      assert.equal(remaining, 0);
      assert.deepEqual(await res.json(), { error: 'Too Many Requests', status: 429, message: 'Too Many Requests' });
      await new Promise((r) => setTimeout(r, Math.max(20, reset * 1000 - Date.now())));
      continue;
    }
    assert.equal(res.status, 200);
    const page = (await res.json()) as Page;
    pages.push(page);
    for (const stream of page.data) {
      seen++;
      unique.set(stream.user_id, stream);
    }
    cursor = page.pagination.cursor;
    if (cursor === undefined) break;
  }
  return { pages, unique, seen, throttled };
}

describe('the simulator Helix and OAuth', () => {
  let sim: Simulator;
  let clock = Date.now();

  before(async () => {
    sim = await startSimulator({
      seed: 7,
      channels: STREAMS,
      trafficAutoStart: false,
      now: () => clock,
      // 20 calls per 2 s (see the shifting test): the budget runs out even on a loaded machine.
      helix: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, rateLimit: { points: 20, windowMs: 2000 }, tokenTtlMs: 60_000 },
    });
  });
  after(() => sim.close());

  it('pages through 10,000 live streams sorted by viewers, throttled with 429s, and the union is complete', async () => {
    clock = Date.now();
    const tick = setInterval(() => (clock = Date.now()), 5);
    try {
      const bearer = await accessToken(sim);
      const { pages, unique, seen, throttled } = await pageAll(sim, bearer);
      assert.equal(pages.length, STREAMS / 100);
      assert.ok(throttled > 0, 'the budget ran out at least once');
      assert.equal(seen, STREAMS, 'no stream repeated');
      assert.equal(unique.size, STREAMS, 'no stream missing');
      const viewers = pages.flatMap((p) => p.data.map((s) => s.viewer_count));
      for (let i = 1; i < viewers.length; i++) assert.ok((viewers[i - 1] as number) >= (viewers[i] as number), `sorted at ${i}`);
      const first = pages[0]?.data[0] as Stream;
      assert.equal(first.type, 'live');
      assert.match(first.started_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.match(first.thumbnail_url, /\{width\}x\{height\}/);
      assert.deepEqual(first.tag_ids, []);
      assert.ok(Array.isArray(first.tags));
    } finally {
      clearInterval(tick);
    }
  });

  it('keeps serving sane pages when viewer counts shift between requests, so streams repeat or go missing', async () => {
    const shifting = await startSimulator({
      seed: 8,
      channels: STREAMS,
      trafficAutoStart: false,
      helix: {
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        // 20 calls per 2 s: 100 pages run out of budget even when each call takes 90 ms on a loaded machine.
        rateLimit: { points: 20, windowMs: 2000 },
        shiftingPages: true,
        shiftFraction: 0.05,
      },
    });
    try {
      const bearer = await accessToken(shifting);
      const { pages, unique, seen, throttled } = await pageAll(shifting, bearer);
      assert.ok(throttled > 0);
      for (const page of pages) {
        assert.ok(page.data.length <= 100);
        for (let i = 1; i < page.data.length; i++)
          assert.ok((page.data[i - 1] as Stream).viewer_count >= (page.data[i] as Stream).viewer_count, 'each page is sorted');
      }
      const repeated = seen - unique.size;
      const missing = STREAMS - unique.size;
      assert.ok(repeated + missing > 0, 'the shifting fault is visible');
      assert.ok(unique.size > STREAMS * 0.8 && unique.size <= STREAMS, `union ${unique.size} is close to ${STREAMS}`);
    } finally {
      await shifting.close();
    }
  });

  it('answers bad credentials with 401 and the Twitch error body', async () => {
    const res = await token(sim, 'wrong-secret');
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), { status: 401, message: 'invalid client secret' });
  });

  it('rejects Helix calls with an expired, unknown or missing token', async () => {
    clock = Date.now();
    const bearer = await accessToken(sim);
    const call = (auth: string | null, clientId = CLIENT_ID): Promise<Response> =>
      fetch(`${sim.helixUrl}/streams?first=1`, { headers: { 'Client-Id': clientId, ...(auth ? { Authorization: auth } : {}) } });
    assert.equal((await call(`Bearer ${bearer}`)).status, 200);
    clock += 60_001;
    const expired = await call(`Bearer ${bearer}`);
    assert.equal(expired.status, 401);
    assert.deepEqual(await expired.json(), { error: 'Unauthorized', status: 401, message: 'Invalid OAuth token' });
    assert.equal((await call('Bearer nosuchtoken')).status, 401);
    assert.equal((await call(null)).status, 401);
    const fresh = await accessToken(sim);
    assert.equal((await call(`Bearer ${fresh}`, 'other-client')).status, 401);
  });

  it('looks up users by login and id', async () => {
    clock = Date.now();
    const bearer = await accessToken(sim);
    const [a, b] = sim.channels;
    const res = await fetch(`${sim.helixUrl}/users?login=${a?.login}&id=${b?.id}&login=nosuchuser_zz`, {
      headers: { 'Client-Id': CLIENT_ID, Authorization: `Bearer ${bearer}` },
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { data: Array<{ id: string; login: string; display_name: string; broadcaster_type: string }> };
    assert.deepEqual(body.data.map((u) => u.login).sort(), [a?.login, b?.login].sort());
  });
});
