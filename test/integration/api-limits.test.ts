import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createApiMetrics } from '../../services/api/apiMetrics.ts';
import { ClientRateLimiter } from '../../services/api/clientRateLimiter.ts';
import { ALL_EVENTS } from '../helpers/readApiDataset.ts';
import { get, startReadApi, type ReadApiRun } from '../helpers/readApiFixture.ts';

/** Per-client rate limiting and request metrics of the read API. */
describe('read API limits and metrics', () => {
  let api: ReadApiRun;
  let clock = Date.parse('2024-02-02T12:00:00Z');
  const registry = new Registry();
  before(async () => {
    api = await startReadApi(ALL_EVENTS, {
      now: () => clock,
      rateLimit: { burst: 5, perSecond: 2 },
      metrics: createApiMetrics(registry),
    });
  });
  after(() => api.close());

  it('answers 429 with Retry-After past a burst, and serves again once the bucket refilled', async () => {
    // Act: a burst of 5 allowed, the 6th refused
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await get(`${api.url}/channels`)).status);
    const refused = await get(`${api.url}/channel/forsen/2024/2/1`);
    clock += 600; // 1.2 tokens back at 2 per second
    const again = await get(`${api.url}/channels`);
    const refusedAgain = await get(`${api.url}/channels`);
    // Assess
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['retry-after'], '1');
    assert.match(refused.text, /^Too many requests/);
    assert.equal(again.status, 200);
    assert.equal(refusedAgain.status, 429);
    clock += 10_000;
  });

  it('counts requests by route and status, the time to the last byte, and the refusals', async () => {
    // Act
    await get(`${api.url}/channel/forsen/2024/2/1`);
    await get(`${api.url}/channel/forsen/user/randers/2024/2`);
    await get(`${api.url}/nothing/here`);
    // Assess
    const text = await registry.metrics();
    const count = (labels: string) => Number(new RegExp(`poglytics_api_requests_total\\{${labels}\\} (\\d+)`).exec(text)?.[1] ?? 0);
    assert.equal(count('route="channels",status="200"'), 6);
    assert.equal(count('route="channels",status="429"'), 2);
    assert.equal(count('route="channel_logs",status="429"'), 1);
    assert.equal(count('route="channel_logs",status="200"'), 1);
    assert.equal(count('route="user_logs",status="200"'), 1);
    assert.equal(count('route="other",status="404"'), 1);
    assert.match(text, /poglytics_api_rate_limited_total 3/);
    assert.match(text, /poglytics_api_request_duration_seconds_count\{route="channel_logs"\} 2/);
  });
});

describe('ClientRateLimiter', () => {
  it('keeps one bucket per client and forgets refilled ones when it must', () => {
    let now = 0;
    const limiter = new ClientRateLimiter({ burst: 2, perSecond: 1 }, () => now);
    assert.deepEqual(
      [limiter.take('a'), limiter.take('a'), limiter.take('a')].map((d) => d.allowed),
      [true, true, false],
    );
    assert.equal(limiter.take('b').allowed, true, 'another client has its own bucket');
    now += 1000;
    assert.equal(limiter.take('a').allowed, true);
    assert.deepEqual(limiter.take('a'), { allowed: false, retryAfterS: 1 });
    assert.equal(limiter.size, 2);
  });
});
