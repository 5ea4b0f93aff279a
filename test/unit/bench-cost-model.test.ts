import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costPerBillionEvents, naiveInputs, type CostInputs } from '../../bench/costModel.ts';
import { PRICES } from '../../bench/prices.ts';

const fixed: CostInputs = {
  bytesPerEvent: 100,
  eventsPerRecord: 1024,
  ingesterCpuSecondsPerEvent: 1e-5,
  ingesterGbPerVcpu: 2,
  consumerSecondsPerEvent: 1e-5,
  consumerMemoryGb: 1,
  eventsPerInvocation: 10_000,
};

describe('the AWS cost model', () => {
  it('adds up the terms by hand-checked arithmetic on fixed inputs', () => {
    // records = 1e9/1024; record = 102400 B exactly 100 KiB, so no rounding
    const records = 1e9 / 1024;
    const gb = (records * 102_400) / 1024 ** 3;
    const kinesis = gb * PRICES.kinesisOnDemandWriteGb + gb * PRICES.kinesisOnDemandReadGb;
    const fargate = ((1e9 * 1e-5) / 3600) * (PRICES.fargateArmVcpuHour + 2 * PRICES.fargateArmGbHour);
    const lambda = (1e5 / 1e6) * PRICES.lambdaRequestsPerMillion + 1e9 * 1e-5 * 1 * PRICES.lambdaArmGbSecond;
    const result = costPerBillionEvents(fixed);
    assert.ok(Math.abs(result.usdPerBillionEvents - (kinesis + fargate + lambda)) < 1e-9);
    assert.equal(result.lines.length, 6);
    assert.match(result.lines.at(-1)!, /^Total: \$\d+\.\d\d per billion events/);
  });

  it('bills each Kinesis record rounded up to the next KiB', () => {
    const oneByteOver = costPerBillionEvents({ ...fixed, bytesPerEvent: 1025, eventsPerRecord: 1 });
    const exact = costPerBillionEvents({ ...fixed, bytesPerEvent: 2048, eventsPerRecord: 1 });
    const writeLine = (lines: readonly string[]) => lines.find((l) => l.startsWith('Kinesis write'))!;
    assert.match(writeLine(oneByteOver.lines), /× 2048 B/);
    assert.match(writeLine(exact.lines), /× 2048 B/);
  });

  it('makes the naive one-record-one-invocation-per-event design cost more', () => {
    const ours = costPerBillionEvents(fixed).usdPerBillionEvents;
    const naive = costPerBillionEvents(naiveInputs(fixed, 900)).usdPerBillionEvents;
    assert.ok(naive > ours * 5, `naive ${naive} vs ours ${ours}`);
  });
});
