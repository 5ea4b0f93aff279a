import type { KinesisClient, PutRecordsCommandInput, PutRecordsCommandOutput, PutRecordsResultEntry } from '@aws-sdk/client-kinesis';

/**
 * Kinesis faults injected at the SDK middleware stack (kinesalite cannot produce them):
 * - `failRatio`: that share of the entries of every PutRecords call fails (half throttled, half
 *   InternalFailure); failed entries are removed from the request, so they are NOT written.
 * - `outage`: every PutRecords call fails as a 503 would.
 * - `throttleCalls`: the next N calls have every entry throttled.
 * - `stall`: calls wait (as on a blackholed connection) until it is set back to false, then proceed.
 * The returned object is live: change its fields while the client runs. It also records what
 * the producer sent (entries and bytes per call).
 */
export interface KinesisFaults {
  failRatio: number;
  outage: boolean;
  throttleCalls: number;
  stall: boolean;
  calls: number;
  failedEntries: number;
  entriesPerCall: number[];
  maxCallBytes: number;
}

export function injectKinesisFaults(client: KinesisClient, random: () => number = Math.random): KinesisFaults {
  const faults: KinesisFaults = {
    failRatio: 0,
    outage: false,
    throttleCalls: 0,
    stall: false,
    calls: 0,
    failedEntries: 0,
    entriesPerCall: [],
    maxCallBytes: 0,
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'PutRecordsCommand') return next(args);
      faults.calls++;
      const input = args.input as PutRecordsCommandInput;
      const records = input.Records ?? [];
      faults.entriesPerCall.push(records.length);
      const bytes = records.reduce((n, r) => n + (r.Data?.length ?? 0) + (r.PartitionKey?.length ?? 0), 0);
      faults.maxCallBytes = Math.max(faults.maxCallBytes, bytes);
      while (faults.stall) await new Promise((resolve) => setTimeout(resolve, 10));
      if (faults.outage) {
        throw Object.assign(new Error('injected Kinesis outage'), {
          name: 'ServiceUnavailable',
          $fault: 'server',
          $metadata: { httpStatusCode: 503 },
        });
      }
      const throttleAll = faults.throttleCalls > 0;
      if (throttleAll) faults.throttleCalls--;
      const failCode = records.map((_, i): string | undefined =>
        throttleAll
          ? 'ProvisionedThroughputExceededException'
          : random() < faults.failRatio
            ? i % 2 === 0
              ? 'ProvisionedThroughputExceededException'
              : 'InternalFailure'
            : undefined,
      );
      const kept = records.filter((_, i) => failCode[i] === undefined);
      let written: PutRecordsResultEntry[] = [];
      let result: Awaited<ReturnType<typeof next>> | undefined;
      if (kept.length > 0) {
        result = await next({ ...args, input: { ...input, Records: kept } });
        written = (result.output as PutRecordsCommandOutput).Records ?? [];
      }
      let w = 0;
      const merged: PutRecordsResultEntry[] = records.map((_, i) => {
        const code = failCode[i];
        if (code === undefined) return written[w++]!;
        faults.failedEntries++;
        return { ErrorCode: code, ErrorMessage: 'injected fault' };
      });
      const failed = merged.filter((r) => r.ErrorCode).length;
      const output = {
        ...((result?.output as PutRecordsCommandOutput | undefined) ?? { $metadata: {} }),
        Records: merged,
        FailedRecordCount: failed,
      };
      return { response: result?.response ?? {}, output };
    },
    { step: 'initialize', name: 'injectKinesisFaults', override: true },
  );
  return faults;
}
