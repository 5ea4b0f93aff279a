import { createWriteStream, type WriteStream } from 'node:fs';
import type { ChatEventKind } from '../../core/events/chatEvent.ts';
import type { GroundTruthCounts, GroundTruthOptions, GroundTruthRecord, JoinRecord, SendCause } from './types.ts';

export interface GroundTruthFilter {
  channel?: string;
  connectionId?: number;
  kind?: ChatEventKind;
  /** Only records sent at or after this time. */
  since?: number;
}

/** What the simulator sent: every event line, per channel and connection, and every confirmed JOIN. */
export interface GroundTruth {
  readonly mode: GroundTruthOptions['mode'];
  record(entry: {
    eventId: string | null;
    kind: ChatEventKind;
    subtype: string | null;
    channel: string;
    connectionIds: number[];
    raw: string;
    sentAt: number;
    cause: SendCause;
  }): void;
  recordJoin(join: JoinRecord): void;
  records(filter?: GroundTruthFilter): GroundTruthRecord[];
  forChannel(channel: string): GroundTruthRecord[];
  forConnection(connectionId: number): GroundTruthRecord[];
  counts(): GroundTruthCounts;
  joins(): JoinRecord[];
  /** When `channel` was confirmed on `connectionId` (the latest JOIN), or on any connection when omitted. */
  joinedAt(channel: string, connectionId?: number): number | undefined;
  /** Forget everything recorded so far (counts too). */
  clear(): void;
  /** Flush and close the NDJSON file, if any. */
  close(): Promise<void>;
}

export function createGroundTruth(options: GroundTruthOptions): GroundTruth {
  let kept: GroundTruthRecord[] = [];
  let joins: JoinRecord[] = [];
  let counts: GroundTruthCounts = emptyCounts();
  let seq = 0;
  const file: WriteStream | null = options.file ? createWriteStream(options.file, { flags: 'a' }) : null;
  let pending: string[] = [];
  let flushScheduled = false;
  const keepRecords = options.mode === 'full' || options.mode === 'ids';
  const keepCounts = options.mode !== 'off';

  function scheduleFlush(): void {
    if (flushScheduled || file === null) return;
    flushScheduled = true;
    setImmediate(() => {
      flushScheduled = false;
      if (pending.length === 0) return;
      file.write(pending.join(''));
      pending = [];
    });
  }

  return {
    mode: options.mode,
    record(entry) {
      seq++;
      if (keepCounts) {
        counts.total++;
        counts.deliveries += entry.connectionIds.length;
        counts.byKind[entry.kind] = (counts.byKind[entry.kind] ?? 0) + 1;
        counts.byChannel[entry.channel] = (counts.byChannel[entry.channel] ?? 0) + 1;
        for (const id of entry.connectionIds) counts.byConnection[id] = (counts.byConnection[id] ?? 0) + 1;
      }
      const full: GroundTruthRecord | null = keepRecords || file ? { seq, ...entry } : null;
      if (keepRecords && full !== null) {
        if (kept.length < options.maxRecords) kept.push(options.mode === 'ids' ? { ...full, raw: null } : full);
        else counts.notKept++;
      } else if (keepCounts) {
        counts.notKept++;
      }
      if (file && full !== null) {
        pending.push(JSON.stringify(full) + '\n');
        scheduleFlush();
      }
    },
    recordJoin(join) {
      if (options.mode !== 'off') joins.push(join);
    },
    records(filter = {}) {
      return kept.filter(
        (r) =>
          (filter.channel === undefined || r.channel === filter.channel) &&
          (filter.connectionId === undefined || r.connectionIds.includes(filter.connectionId)) &&
          (filter.kind === undefined || r.kind === filter.kind) &&
          (filter.since === undefined || r.sentAt >= filter.since),
      );
    },
    forChannel(channel) {
      return kept.filter((r) => r.channel === channel);
    },
    forConnection(connectionId) {
      return kept.filter((r) => r.connectionIds.includes(connectionId));
    },
    counts() {
      return structuredClone(counts);
    },
    joins() {
      return joins.slice();
    },
    joinedAt(channel, connectionId) {
      for (let i = joins.length - 1; i >= 0; i--) {
        const j = joins[i] as JoinRecord;
        if (j.channel === channel && (connectionId === undefined || j.connectionId === connectionId)) return j.joinedAt;
      }
      return undefined;
    },
    clear() {
      kept = [];
      joins = [];
      counts = emptyCounts();
    },
    async close() {
      if (file === null) return;
      if (pending.length > 0) file.write(pending.join(''));
      pending = [];
      await new Promise<void>((resolve) => file.end(resolve));
    },
  };
}

function emptyCounts(): GroundTruthCounts {
  return { total: 0, deliveries: 0, byKind: {}, byChannel: {}, byConnection: {}, notKept: 0 };
}
