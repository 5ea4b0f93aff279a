import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clearAppTokenCache } from '../../core/twitch/appToken.ts';
import type { Clock } from '../../core/twitch/clock.ts';
import { fetchLiveStreams } from '../../core/twitch/fetchLiveStreams.ts';
import { HelixClient } from '../../core/twitch/helixClient.ts';
import { TwitchApiError } from '../../core/errors.ts';

/** A fake clock: sleeping advances time instantly, and records how long was slept. */
function fakeClock(start = 1_700_000_000_000): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

interface FakeTwitch {
  fetch: typeof fetch;
  tokens: number;
  streamRequests: string[];
}

type Handler = (url: URL, call: number) => { status: number; body?: unknown; headers?: Record<string, string> };

/** A fetch answering POST /oauth2/token and delegating Helix GETs to `helix`. */
function fakeTwitch(helix: Handler, clock: Clock): FakeTwitch {
  const state: FakeTwitch = {
    tokens: 0,
    streamRequests: [],
    fetch: async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : input);
      if (url.pathname === '/oauth2/token') {
        assert.equal(init?.method, 'POST');
        state.tokens++;
        return Response.json({ access_token: `token-${state.tokens}`, expires_in: 3600, token_type: 'bearer' });
      }
      state.streamRequests.push(`${url.pathname}${url.search}`);
      const auth = new Headers(init?.headers).get('authorization');
      assert.match(auth ?? '', /^Bearer token-\d+$/);
      const reply = helix(url, state.streamRequests.length);
      const reset = String(Math.ceil(clock.now() / 1000) + 2);
      return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), {
        status: reply.status,
        headers: { 'content-type': 'application/json', 'ratelimit-limit': '800', 'ratelimit-reset': reset, ...reply.headers },
      });
    },
  };
  return state;
}

const stream = (n: number, viewers: number) => ({
  id: `s${n}`,
  user_id: `u${n}`,
  user_login: `Chan${n}`,
  user_name: `Chan${n}`,
  game_id: '1',
  game_name: 'Game',
  type: 'live',
  title: 't',
  viewer_count: viewers,
  started_at: '2024-01-01T00:00:00Z',
  language: n % 2 === 0 ? 'en' : 'de',
  thumbnail_url: '',
  tag_ids: [],
  tags: ['English'],
  is_mature: false,
});

/** Pages of 100 streams with viewers descending from `top`, `pages` pages long. */
function pagedStreams(pages: number, top = 100_000): Handler {
  return (url) => {
    const page = Number(url.searchParams.get('after') ?? '0');
    const data = Array.from({ length: 100 }, (_, i) => stream(page * 100 + i, Math.max(0, top - (page * 100 + i) * 10)));
    return {
      status: 200,
      body: { data, pagination: page + 1 < pages ? { cursor: String(page + 1) } : {} },
      headers: { 'ratelimit-remaining': '700' },
    };
  };
}

const credentials = { clientId: 'id', clientSecret: 'secret' };
const client = (twitch: FakeTwitch, clock: Clock, extra: Partial<ConstructorParameters<typeof HelixClient>[0]> = {}) =>
  new HelixClient({
    helixUrl: 'https://helix.test/helix',
    authUrl: 'https://auth.test/oauth2',
    credentials,
    fetch: twitch.fetch,
    clock,
    random: () => 0.5,
    ...extra,
  });

describe('Helix client', () => {
  beforeEach(() => clearAppTokenCache());

  it('pages /streams with first=100 and the cursor, stopping at maxChannels', async () => {
    const clock = fakeClock();
    const twitch = fakeTwitch(pagedStreams(10), clock);
    const result = await fetchLiveStreams(client(twitch, clock), { maxChannels: 250, minViewers: 1 });
    assert.equal(result.streams.length, 250);
    assert.equal(result.stoppedBy, 'max_channels');
    assert.deepEqual(twitch.streamRequests, [
      '/helix/streams?first=100',
      '/helix/streams?first=100&after=1',
      '/helix/streams?first=100&after=2',
    ]);
    assert.equal(result.streams[0]?.user_login, 'chan0');
  });

  it('stops at the first stream below minViewers', async () => {
    const clock = fakeClock();
    const twitch = fakeTwitch(pagedStreams(10, 1500), clock);
    const result = await fetchLiveStreams(client(twitch, clock), { maxChannels: 50_000, minViewers: 1 });
    assert.equal(result.stoppedBy, 'min_viewers');
    assert.equal(result.streams.length, 150);
    assert.ok(result.streams.every((s) => s.viewer_count >= 1));
  });

  it('keeps a stream seen on two shifting pages once, and stops when a cursor comes back around', async () => {
    const clock = fakeClock();
    const twitch = fakeTwitch((url) => {
      const after = url.searchParams.get('after');
      if (after === null) return { status: 200, body: { data: [stream(1, 90), stream(2, 80)], pagination: { cursor: 'a' } } };
      if (after === 'a') return { status: 200, body: { data: [stream(2, 80), stream(3, 70)], pagination: { cursor: 'b' } } };
      return { status: 200, body: { data: [stream(4, 60)], pagination: { cursor: 'a' } } };
    }, clock);
    const result = await fetchLiveStreams(client(twitch, clock), { maxChannels: 100, minViewers: 1 });
    assert.deepEqual(
      result.streams.map((s) => s.user_id),
      ['u1', 'u2', 'u3', 'u4'],
    );
    assert.equal(result.duplicates, 1);
    assert.equal(result.stoppedBy, 'cursor_loop');
  });

  it('leaves out excluded channels and other languages', async () => {
    const clock = fakeClock();
    const twitch = fakeTwitch(pagedStreams(1), clock);
    const result = await fetchLiveStreams(client(twitch, clock), {
      maxChannels: 100,
      minViewers: 1,
      languages: ['en'],
      excluded: new Set(['chan0']),
    });
    assert.ok(result.streams.every((s) => s.language === 'en' && s.user_login !== 'chan0'));
    assert.equal(result.streams.length, 49);
    assert.match(twitch.streamRequests[0] ?? '', /language=en/);
  });

  it('waits for the reset when the bucket is empty instead of earning a 429', async () => {
    const clock = fakeClock();
    let remaining = 2;
    const twitch = fakeTwitch((url, call) => {
      const reply = pagedStreams(5)(url, call);
      remaining = remaining === 0 ? 1 : remaining - 1;
      return { ...reply, headers: { 'ratelimit-remaining': String(remaining) } };
    }, clock);
    const helix = client(twitch, clock);
    await fetchLiveStreams(helix, { maxChannels: 500, minViewers: 1 });
    assert.equal(helix.stats.rateLimited, 0);
    assert.ok(clock.slept.length >= 1, 'never waited for the reset');
    assert.ok(clock.slept.every((ms) => ms > 0 && ms <= 3000));
  });

  it('backs off a 429 until Ratelimit-Reset and then succeeds', async () => {
    const clock = fakeClock();
    const twitch = fakeTwitch(
      (url, call) =>
        call <= 2
          ? { status: 429, body: { error: 'Too Many Requests' }, headers: { 'ratelimit-remaining': '0' } }
          : pagedStreams(1)(url, call),
      clock,
    );
    const helix = client(twitch, clock);
    const result = await fetchLiveStreams(helix, { maxChannels: 100, minViewers: 1 });
    assert.equal(result.streams.length, 100);
    assert.equal(helix.stats.rateLimited, 2);
    assert.ok(
      clock.slept.some((ms) => ms >= 1000),
      `slept ${clock.slept.join(',')}`,
    );
  });

  it('replaces an expired token once on 401, and reuses the cached token across clients', async () => {
    const clock = fakeClock();
    const twitch = fakeTwitch(
      (url, call) => (call === 1 ? { status: 401, body: { error: 'Unauthorized' } } : pagedStreams(1)(url, call)),
      clock,
    );
    const first = client(twitch, clock);
    await fetchLiveStreams(first, { maxChannels: 100, minViewers: 1 });
    assert.equal(twitch.tokens, 2, 'the rejected token was not replaced');
    assert.equal(first.stats.tokenRefreshes, 1);
    await fetchLiveStreams(client(twitch, clock), { maxChannels: 100, minViewers: 1 });
    assert.equal(twitch.tokens, 2, 'a warm invocation asked for a new token');
  });

  it('gives up on a persistent 5xx after a bounded number of attempts', async () => {
    const clock = fakeClock();
    const twitch = fakeTwitch(() => ({ status: 503, body: {} }), clock);
    const helix = client(twitch, clock, { maxAttempts: 4 });
    await assert.rejects(
      fetchLiveStreams(helix, { maxChannels: 100, minViewers: 1 }),
      (error: unknown) => error instanceof TwitchApiError && error.status === 503,
    );
    assert.equal(twitch.streamRequests.length, 4);
  });

  it('rejects a malformed /streams page instead of guessing', async () => {
    const clock = fakeClock();
    const twitch = fakeTwitch(() => ({ status: 200, body: { data: [{ user_login: 'x' }] } }), clock);
    await assert.rejects(fetchLiveStreams(client(twitch, clock), { maxChannels: 100, minViewers: 1 }), /malformed/);
  });
});
