import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { startSimulator } from '../../services/twitch-sim/startSimulator.ts';

describe('simulator ground truth of traffic nobody receives', () => {
  it('records traffic on unjoined channels, with no connection, only when asked', async () => {
    // Prepare: no connection joins anything, so every line is sent to nobody
    const quiet = await startSimulator({ channels: 50, messagesPerSecond: 2000, seed: 5, joinLimit: null, trafficAutoStart: false });
    const loud = await startSimulator({
      channels: 50,
      messagesPerSecond: 2000,
      seed: 5,
      joinLimit: null,
      trafficAutoStart: false,
      groundTruth: { recordUndelivered: true },
    });
    try {
      // Act
      quiet.startTraffic();
      loud.startTraffic();
      await sleep(400);
      quiet.stopTraffic();
      loud.stopTraffic();

      // Assess: a gap is visible only where it is recorded
      assert.equal(quiet.groundTruth.records().length, 0);
      const records = loud.groundTruth.records();
      assert.ok(records.length > 100, `${records.length} records`);
      assert.ok(records.every((r) => r.connectionIds.length === 0 && r.cause === 'traffic'));
      assert.ok(new Set(records.map((r) => r.channel)).size > 10, 'spread over the channels');
    } finally {
      await quiet.close();
      await loud.close();
    }
  });
});
