import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PutPacer } from '../../core/kinesis/putPacer.ts';
import { PUT_RECORDS_MAX_ENTRIES } from '../../core/kinesis/putRecordsBatch.ts';

describe('PutPacer', () => {
  it('halves the entries per call on throttling, down to one, and grows them back by 25 per clean call', () => {
    const pacer = new PutPacer(5000);
    for (let i = 0; i < 12; i++) pacer.failed(true, 0);
    assert.equal(pacer.window, 1);
    pacer.succeeded();
    assert.equal(pacer.window, 26);
    for (let i = 0; i < 40; i++) pacer.succeeded();
    assert.equal(pacer.window, PUT_RECORDS_MAX_ENTRIES);
  });

  it('keeps the window on failures that are not throttling', () => {
    const pacer = new PutPacer(5000);
    pacer.failed(false, 0);
    assert.equal(pacer.window, PUT_RECORDS_MAX_ENTRIES);
  });

  it('waits between half and all of a ceiling that doubles with the streak up to the cap, and forgets the streak on success', () => {
    const pacer = new PutPacer(5000);
    const waits: number[] = [];
    for (let streak = 1; streak <= 10; streak++) {
      pacer.failed(false, 1_000_000);
      const ceiling = Math.min(5000, 50 * 2 ** streak);
      const wait = pacer.resumeAt - 1_000_000;
      assert.ok(wait >= Math.floor(ceiling / 2) && wait <= ceiling, `streak ${streak}: waited ${wait} ms, ceiling ${ceiling}`);
      waits.push(wait);
    }
    assert.ok(waits[9]! >= 2500, 'the cap is reached');
    pacer.succeeded();
    assert.equal(pacer.streak, 0);
    pacer.failed(false, 0);
    assert.ok(pacer.resumeAt <= 100, `a new streak starts small, waited ${pacer.resumeAt}`);
  });
});
