/**
 * Raw lines rebuilt byte for byte after the whole trip (issue 16 acceptance): one million
 * simulated events (100,000 with --quick) go through the stream as the ingester writes them
 * (compact records, brotli), are decoded as the consumer decodes them, written to every sink
 * (SQLite, PostgreSQL, chdb), and read back as `raw` from each sink's `chat_events`, which
 * rebuilds it from the stored parts. Figures: storage.roundtrip_events (checked per sink),
 * storage.<sink>.roundtrip_mismatches (target 0: a line missing or not byte for byte), and
 * storage.roundtrip_residual_share (lines stored whole because no template rebuilds them).
 * Events flow in batches of 20,000; only a 12-byte digest per event is kept for the check.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChdbConnection } from 'chdb/connection';
import type { ChatEvent } from '../core/events/chatEvent.ts';
import { lineParts } from '../core/events/lineParts.ts';
import { createSink } from '../core/sinks/createSink.ts';
import type { Sink } from '../core/sinks/types.ts';
import { createChannelCatalog } from '../services/twitch-sim/createChannelCatalog.ts';
import { createTrafficGenerator } from '../services/twitch-sim/createTrafficGenerator.ts';
import { DEFAULT_MIX } from '../services/twitch-sim/resolveSimulatorOptions.ts';
import type { GeneratedLine } from '../services/twitch-sim/types.ts';
import { normalizedEvents, throughStream } from '../test/helpers/rawCorpus.ts';
import { startScratchPostgres } from '../test/helpers/postgres.ts';

const BATCH = 20_000;
const CHANNELS = 500;

const digest = (raw: string) => createHash('sha1').update(raw).digest('base64').slice(0, 16);

interface Target {
  readonly name: string;
  readonly sink: Sink;
  /** SELECT event_id, raw FROM chat_events for one channel. */
  readonly byChannel: string;
}

/** Batches of simulated events until `total`, each event_id once. */
function* simulatedBatches(total: number): Generator<ChatEvent[]> {
  const now = Date.UTC(2024, 0, 22);
  const catalog = createChannelCatalog({ seed: 1, channels: CHANNELS, channelNames: [], zipfExponent: 1, maxViewers: 100_000, now });
  const generator = createTrafficGenerator({ seed: 1, catalog, mix: DEFAULT_MIX, maxGiftWave: 50, sharedChatFraction: 0.1 });
  const seen = new Set<string>();
  let produced = 0;
  let draw = 0;
  while (produced < total) {
    const lines: GeneratedLine[] = [];
    while (lines.length < BATCH) generator.generate(catalog.sample((draw * 0.6180339887) % 1), now + draw++, lines);
    const batch = normalizedEvents(lines.map((l) => l.line))
      .filter((e) => !seen.has(e.event_id) && seen.add(e.event_id))
      .slice(0, total - produced);
    produced += batch.length;
    yield batch;
  }
}

export async function bench(options: { quick: boolean }): Promise<Record<string, number>> {
  const total = options.quick ? 100_000 : 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'poglytics-bench-roundtrip-'));
  const postgres = await startScratchPostgres();
  const targets: Target[] = [
    {
      name: 'sqlite',
      sink: createSink({ sink: 'sqlite', path: join(dir, 'rt.db') }),
      byChannel: 'SELECT event_id, raw FROM chat_events WHERE channel = ?',
    },
    {
      name: 'postgres',
      sink: createSink({ sink: 'postgres', connectionString: postgres.url }),
      byChannel: 'SELECT event_id, raw FROM chat_events WHERE channel = $1',
    },
    {
      name: 'clickhouse',
      sink: createSink({
        sink: 'clickhouse',
        url: 'http://chdb.local:8123',
        connection: createChdbConnection({ path: join(dir, 'chdb') }),
      }),
      byChannel: 'SELECT event_id, raw FROM chat_events WHERE channel = {p1:String}',
    },
  ];
  try {
    const expected = new Map<string, string>();
    const channels = new Set<string>();
    let residual = 0;
    let rejected = 0;
    for (const batch of simulatedBatches(total)) {
      const after = throughStream(batch, []);
      rejected += after.rejected;
      for (const e of after.events) {
        expected.set(e.event_id, digest(e.raw));
        channels.add(e.channel);
        if (lineParts(e).residual !== null) residual++;
      }
      for (const target of targets) await target.sink.write(after.events);
    }
    const figures: Record<string, number> = {
      'storage.roundtrip_events': expected.size,
      'storage.roundtrip_stream_rejects': rejected,
      'storage.roundtrip_residual_share': residual / expected.size,
    };
    for (const target of targets) {
      let mismatches = 0;
      let read = 0;
      for (const channel of channels)
        for (const row of await target.sink.query(target.byChannel, [channel])) {
          read++;
          if (expected.get(String(row.event_id)) !== digest(String(row.raw))) mismatches++;
        }
      figures[`storage.${target.name}.roundtrip_mismatches`] = mismatches + Math.abs(expected.size - read);
    }
    return figures;
  } finally {
    for (const target of targets) await target.sink.close();
    await postgres.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await bench({ quick: process.argv.includes('--quick') }), null, 2));
}
