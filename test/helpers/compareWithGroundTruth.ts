import { openSqliteDatabase } from '../../core/sinks/sqlite/openSqliteDatabase.ts';
import type { GroundTruthRecord } from '../../services/twitch-sim/types.ts';
import type { PipelineHarness } from './localPipelineRun.ts';

export interface GroundTruthComparison {
  /** Traffic events the simulator sent (whether or not a connection was joined). */
  readonly sent: number;
  /** Traffic events not in the database (by id; by raw for lines without an id). */
  readonly missing: GroundTruthRecord[];
  /** Raw lines stored more often than they were sent (the same id twice cannot happen). */
  readonly storedTwice: string[];
}

/**
 * Every traffic event the simulator sent against the harness's SQLite database: what is missing
 * and what is stored twice. Lines that carry no id are matched by their raw text and counted, so a
 * line without a timestamp sent twice must be stored twice and a line sent once stored once.
 */
export function compareWithGroundTruth(harness: Pick<PipelineHarness, 'dbPath' | 'sim'>): GroundTruthComparison {
  const db = openSqliteDatabase(harness.dbPath, { readonly: true });
  const rows = db.prepare('SELECT event_id, raw FROM chat_events').all() as { event_id: string; raw: string }[];
  db.close();
  const ids = new Set(rows.map((r) => r.event_id));
  const rawCount = new Map<string, number>();
  for (const row of rows) rawCount.set(row.raw, (rawCount.get(row.raw) ?? 0) + 1);
  const traffic = harness.sim.groundTruth.records().filter((r) => r.cause === 'traffic');
  const missing: GroundTruthRecord[] = [];
  const idless = new Map<string, GroundTruthRecord[]>();
  for (const record of traffic) {
    if (record.eventId) {
      if (!ids.has(record.eventId)) missing.push(record);
    } else idless.set(record.raw!, [...(idless.get(record.raw!) ?? []), record]);
  }
  const storedTwice: string[] = [];
  for (const [raw, all] of idless) {
    // Two identical lines that carry tmi-sent-ts are one event by the contract (same content, same
    // id), as Twitch would mean them; identical lines without it are told apart by their anchors.
    const sent = raw.includes('tmi-sent-ts=') ? all.slice(0, 1) : all;
    const stored = rawCount.get(raw) ?? 0;
    if (stored < sent.length) missing.push(...sent.slice(stored));
    if (stored > sent.length) storedTwice.push(raw);
  }
  return { sent: traffic.length, missing, storedTwice };
}
