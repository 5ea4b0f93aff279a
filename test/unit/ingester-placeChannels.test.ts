import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { channelLoad, placeChannels } from '../../services/ingester/placeChannels.ts';
import { PropertyCases } from '../helpers/propertyCases.ts';

const emptySlots = (n: number, capacity: number) => Array.from({ length: n }, () => ({ load: 0, count: 0, capacity }));

describe('placeChannels', () => {
  it('spreads expected load evenly across connections', () => {
    // Prepare: a Zipf-like viewer distribution, as on Twitch
    const channels = Array.from({ length: 400 }, (_, i) => ({ login: `c${i}`, viewers: Math.floor(100_000 / (i + 1)) }));
    // Act
    const { slotOf, overflow } = placeChannels(emptySlots(4, 200), channels);
    // Assess
    assert.equal(overflow.length, 0);
    const loads = [0, 0, 0, 0];
    for (const c of channels) loads[slotOf.get(c.login)!]! += channelLoad(c.viewers);
    const total = loads.reduce((a, b) => a + b, 0);
    // The biggest channel alone is 100,000 of ~590,000: the best split is bounded by it.
    assert.ok(Math.max(...loads) - Math.min(...loads) <= 100_001, `loads ${loads.join(',')}`);
    assert.ok(Math.max(...loads) <= total / 4 + 100_001);
  });

  it('never puts more channels on a connection than its capacity', (t) => {
    const cases = new PropertyCases(t);
    fc.assert(
      // Half the runs cut the list at exactly what the connections hold: the boundary between fitting and overflowing.
      fc.property(
        fc.array(fc.nat(10_000), { maxLength: 500, size: 'max' }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 80 }),
        fc.boolean(),
        (all, n, capacity, exactFit) => {
          const viewers = exactFit ? all.slice(0, n * capacity) : all;
          const channels = viewers.map((v, i) => ({ login: `c${i}`, viewers: v }));
          const { slotOf, overflow } = placeChannels(emptySlots(n, capacity), channels);
          const counts = new Array<number>(n).fill(0);
          for (const slot of slotOf.values()) counts[slot]!++;
          cases.run();
          cases.reached('more channels than the connections hold (overflow)', overflow.length > 0);
          cases.reached('everything placed with a connection filled to capacity', overflow.length === 0 && counts.includes(capacity));
          assert.ok(counts.every((c) => c <= capacity));
          assert.equal(slotOf.size + overflow.length, channels.length);
          assert.equal(overflow.length, Math.max(0, channels.length - n * capacity));
        },
      ),
    );
    cases.report({
      'more channels than the connections hold (overflow)': 10,
      'everything placed with a connection filled to capacity': 10,
    });
  });

  it('fills the least-loaded existing connection first', () => {
    const slots = [
      { load: 5000, count: 10, capacity: 100 },
      { load: 10, count: 10, capacity: 100 },
    ];
    const { slotOf } = placeChannels(slots, [{ login: 'big', viewers: 3000 }]);
    assert.equal(slotOf.get('big'), 1);
  });
});
