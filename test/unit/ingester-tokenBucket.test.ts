import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from '../../services/ingester/tokenBucket.ts';

const clock = (start = 1_000_000) => {
  const c = { t: start, now: () => c.t };
  return c;
};

describe('TokenBucket', () => {
  it('allows at most capacity tokens inside any window', () => {
    // Prepare
    const c = clock();
    const bucket = new TokenBucket(20, 10_000, 0, c.now);
    const spends: number[] = [];
    // Act: try to spend as fast as possible for 60 simulated seconds in 100 ms steps
    for (let step = 0; step < 600; step++) {
      const got = bucket.take(7);
      for (let i = 0; i < got; i++) spends.push(c.t);
      c.t += 100;
    }
    // Assess: every sliding 10 s window holds at most 20 spends, and the budget is fully used
    for (let i = 0; i < spends.length; i++) {
      const inWindow = spends.filter((t) => t >= spends[i]! && t < spends[i]! + 10_000).length;
      assert.ok(inWindow <= 20, `window starting at ${spends[i]} has ${inWindow}`);
    }
    assert.ok(spends.length >= 120, `only ${spends.length} spends in 60 s`);
  });

  it('returns a token one window (plus guard) after it was spent', () => {
    const c = clock();
    const bucket = new TokenBucket(2, 1000, 50, c.now);
    assert.equal(bucket.take(5), 2);
    assert.equal(bucket.available(), 0);
    assert.equal(bucket.msUntilAvailable(), 1050);
    c.t += 1049;
    assert.equal(bucket.available(), 0);
    c.t += 1;
    assert.equal(bucket.available(), 2);
  });

  it('refuses a nonsensical configuration', () => {
    assert.throws(() => new TokenBucket(0, 1000), RangeError);
    assert.throws(() => new TokenBucket(1, 0), RangeError);
  });
});
