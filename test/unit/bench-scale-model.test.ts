import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dynamoItemBytes, writeUnits } from '../../bench/dynamoItemBytes.ts';
import {
  channelRate,
  churnPerRefresh,
  coldStartMinutes,
  completeness,
  compressedTiming,
  harmonic,
  joinFloorMinutes,
  joinPhaseFactor,
  skewSummary,
} from '../../bench/scaleModel.ts';

describe('the scale bench model', () => {
  it('compresses the JOIN window and the refresh interval by the time factor, never the count', () => {
    // Act
    const ten = compressedTiming(10);
    const one = compressedTiming(1);
    // Assess
    assert.deepEqual(ten, { joinLimit: { count: 20, windowMs: 1000 }, refreshIntervalMs: 30_000 });
    assert.deepEqual(one, { joinLimit: { count: 20, windowMs: 10_000 }, refreshIntervalMs: 300_000 });
    assert.throws(() => compressedTiming(0.5), /at least 1/);
  });

  it('scales only the JOIN phase of the cold start back to real time', () => {
    // Prepare: 30 s until the first JOIN, then 100 s of compressed joining at factor 10
    const times = { startedAt: 1_000, firstJoinAt: 31_000, coveredAt: 131_000 };
    // Act
    const minutes = coldStartMinutes(times, 10);
    // Assess: 30 s + 1,000 s
    assert.equal(minutes, 1030 / 60);
    assert.throws(() => coldStartMinutes({ startedAt: 5, firstJoinAt: 4, coveredAt: 6 }, 10), RangeError);
    // A 1 s window with a 400 ms wall-clock guard stands for 10 s + the production 100 ms.
    assert.equal(joinPhaseFactor(1000, 400), 10_100 / 1400);
    // 1,800 channels on a connection at 20 per 10 s: 90 windows, 15 minutes.
    assert.equal(joinFloorMinutes(1800), 15);
  });

  it('spreads the rate by Zipf weight: rates add up to the total, a few channels at hundreds a second, a quiet tail', () => {
    // Prepare: all of Twitch at 3x the 98,000 messages a minute
    const channels = 100_000;
    const total = (3 * 98_000) / 60;
    // Act
    const h = harmonic(channels, 1);
    const sum = Array.from({ length: channels }, (_, i) => channelRate(i + 1, channels, total, 1, h)).reduce((a, b) => a + b, 0);
    const skew = skewSummary(channels, total, 1);
    // Assess
    assert.ok(Math.abs(sum - total) < 1e-6, `rates sum to ${sum}`);
    assert.ok(Math.abs(h - 12.0901) < 1e-3, `H(100000) = ${h}`);
    assert.equal(skew.channelsAtHundredsPerSecond, 4);
    assert.ok(Math.abs(skew.topRates[0]! - 405.2) < 0.1, `top channel ${skew.topRates[0]}`);
    assert.ok(Math.abs(skew.topRates[1]! - skew.topRates[0]! / 2) < 1e-9);
    // rank k is below 1/min once 405.289/k < 1/60, i.e. k > 24,317.3: ranks 24,318..100,000 are 75,683 channels
    assert.ok(Math.abs(skew.shareBelowOnePerMinute - 75_683 / 100_000) < 1e-12, `quiet tail ${skew.shareBelowOnePerMinute}`);
  });

  it('ends 1/48 of the live channels at each 5-minute refresh with 4-hour streams', () => {
    assert.equal(churnPerRefresh(100_000), 2083);
    assert.equal(churnPerRefresh(4_800, 2), 200);
    // 1,000 × 5 / 240 = 20.8: rounded, not cut
    assert.equal(churnPerRefresh(1_000), 21);
  });

  it('reports completeness as the stored share of what was sent to a joined connection', () => {
    assert.deepEqual(completeness(1000, 0), { capturedShare: 1, lost: 0 });
    assert.deepEqual(completeness(1000, 25), { capturedShare: 0.975, lost: 25 });
    assert.deepEqual(completeness(0, 0), { capturedShare: 1, lost: 0 });
    assert.throws(() => completeness(10, 11), RangeError);
  });

  it('sizes DynamoDB items as billed and rounds write units up per KB of the larger version', () => {
    // Prepare: names + values: pk(2)+"shard#3"(7) + n(1)+N 12345 (3 digits pairs → 3+1=4) + ok(2)+BOOL(1)
    //          + l(1) + list 3 + (1 + "ab" 2) + (1 + map 3 + (1 + "x" 1 + N "0"→1+1=2))
    const item = {
      pk: { S: 'shard#3' },
      n: { N: '12345' },
      ok: { BOOL: true },
      l: { L: [{ S: 'ab' }, { M: { x: { N: '0' } } }] },
    };
    // Act
    const bytes = dynamoItemBytes(item);
    // Assess
    assert.equal(bytes, 2 + 7 + (1 + 4) + (2 + 1) + (1 + 3 + (1 + 2) + (1 + 3 + (1 + 1 + 2))));
    assert.equal(dynamoItemBytes({ t: { N: '1733412345678' } }), 1 + 8);
    assert.equal(writeUnits(undefined, 10), 1);
    assert.equal(writeUnits(3000, 1025), 3);
    assert.equal(writeUnits(100, 2049), 3);
  });
});
