import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { desiredTasks } from '../../core/control/desiredTasks.ts';
import { loadRefresherConfig } from '../../core/control/loadRefresherConfig.ts';
import { ConfigError } from '../../core/errors.ts';

describe('the desired ingester task count', () => {
  it('runs one task per (shard, replica) slot plus the standbys with one slot per task (the default)', () => {
    assert.equal(desiredTasks(5, { standbyTasks: 1 }), 6);
    assert.equal(desiredTasks(5, { standbyTasks: 1, captureReplicas: 2 }), 11);
    assert.equal(desiredTasks(5, { standbyTasks: 0, captureReplicas: 2, slotsPerTask: 1 }), 10);
  });

  it('packs SLOTS_PER_TASK slots into a task, rounding up: ceil(shards × replicas / slotsPerTask) + standbys', () => {
    assert.equal(desiredTasks(5, { standbyTasks: 1, captureReplicas: 2, slotsPerTask: 4 }), 3 + 1);
    assert.equal(desiredTasks(8, { standbyTasks: 1, captureReplicas: 2, slotsPerTask: 4 }), 4 + 1);
    assert.equal(desiredTasks(7, { standbyTasks: 2, captureReplicas: 1, slotsPerTask: 3 }), 3 + 2);
    assert.equal(desiredTasks(40, { standbyTasks: 1, captureReplicas: 2, slotsPerTask: 10 }), 8 + 1);
  });

  it('never runs fewer serving tasks than replicas: a task holds at most one replica of a shard', () => {
    assert.equal(desiredTasks(1, { standbyTasks: 1, captureReplicas: 2, slotsPerTask: 8 }), 2 + 1);
    assert.equal(desiredTasks(2, { standbyTasks: 0, captureReplicas: 3, slotsPerTask: 4 }), 3);
  });

  it('runs only the standbys while there is no shard', () => {
    assert.equal(desiredTasks(0, { standbyTasks: 1, captureReplicas: 2, slotsPerTask: 4 }), 1);
  });

  it('always has a task for every slot, and each replica of a shard in a task of its own (exhaustive small cases)', () => {
    for (let shards = 1; shards <= 12; shards++)
      for (let replicas = 1; replicas <= 3; replicas++)
        for (let slotsPerTask = 1; slotsPerTask <= 8; slotsPerTask++) {
          const tasks = desiredTasks(shards, { standbyTasks: 0, captureReplicas: replicas, slotsPerTask });
          assert.ok(tasks * slotsPerTask >= shards * replicas, `${shards}×${replicas} slots in ${tasks} tasks of ${slotsPerTask}`);
          assert.ok(tasks >= replicas);
          // And no more than needed: one task fewer could not hold them all.
          assert.ok((tasks - 1) * slotsPerTask < shards * replicas || tasks === replicas);
        }
  });
});

describe('SLOTS_PER_TASK in the refresher configuration', () => {
  it('is 1 unless set, and a bad value names the variable', () => {
    assert.equal(loadRefresherConfig({}).slotsPerTask, 1);
    assert.equal(loadRefresherConfig({ SLOTS_PER_TASK: '25' }).slotsPerTask, 25);
    assert.throws(
      () => loadRefresherConfig({ SLOTS_PER_TASK: '0' }),
      (error: unknown) => error instanceof ConfigError && /SLOTS_PER_TASK must be at least 1, got 0/.test(error.message),
    );
    assert.throws(
      () => loadRefresherConfig({ SLOTS_PER_TASK: '65' }),
      (error: unknown) => error instanceof ConfigError && /SLOTS_PER_TASK must be at most 64/.test(error.message),
    );
  });
});
