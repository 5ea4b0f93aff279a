/**
 * `npm run bench -- --scale` (issue 19): all of Twitch on this machine. The Twitch simulator with
 * SCALE_CHANNELS live channels (default 100,000) shaped like Twitch (bench/scaleModel.ts), the
 * local pipeline of `npm start` (refresher, supervised ingester processes, Kinesis and DynamoDB
 * emulators, consumer, SQLite) with CAPTURE_REPLICAS=2, and the ingesters as production runs them:
 * the bundle scripts/bundle.mjs builds, not TypeScript through tsx, each serving the production
 * stage's SLOTS_PER_TASK shards.
 *
 * Time runs SCALE_TIME_FACTOR (default 10) times faster for the control plane only: both the
 * simulator and the ingesters apply Twitch's JOIN limit of 20 per 10 s per connection with a
 * 10 s / factor window, and the refresher runs every 5 min / factor; chat rates are real.
 *
 * The run: cold start until every live channel is joined by both replicas; then three refresh
 * cycles with churn (streams ending and starting, raids from the ending ones) and one ingester
 * killed with SIGKILL in the second; then every event the simulator sent to a joined connection
 * is looked up in the database (ground truth), and the raids too.
 */
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { awsClientConfig } from '../core/aws/clientConfig.ts';
import { loadRefresherConfig } from '../core/control/loadRefresherConfig.ts';
import type { RefreshReport } from '../core/control/refreshChannels.ts';
import { createLogger } from '../core/log.ts';
import { eventId, orphanAnchor, REPLICA_WINDOW_MS, windowAnchor } from '../core/irc/eventId.ts';
import { parseLine } from '../core/irc/parseLine.ts';
import { openSqliteDatabase } from '../core/sinks/sqlite/openSqliteDatabase.ts';
import { createSink } from '../core/sinks/createSink.ts';
import { scrapeMetrics } from '../services/local/scrapeMetrics.ts';
import { startLocalPipeline, type LocalPipeline } from '../services/local/localPipeline.ts';
import type { Simulator } from '../services/twitch-sim/startSimulator.ts';
import type { GroundTruthRecord } from '../services/twitch-sim/types.ts';
import { compareWithGroundTruth } from '../test/helpers/compareWithGroundTruth.ts';
import { dynamoItemBytes, writeUnits } from './dynamoItemBytes.ts';
import { productionConfig } from './productionBill.ts';
import { startSimWorker, type SimWorker } from './startSimWorker.ts';
import {
  churnPerRefresh,
  coldStartMinutes,
  completeness,
  compressedTiming,
  joinPhaseFactor,
  PEAK_FACTOR,
  RAID_SHARE,
  skewSummary,
  TWITCH_MESSAGES_PER_MINUTE,
  ZIPF_EXPONENT,
} from './scaleModel.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILD_DIR = join(ROOT, 'bench', '.scale-build');
const REPLICAS = 2;
const CHURN_CYCLES = 3;
/** Refresh cycles with churn after which the ingester is killed (in the middle of the next one). */
const KILL_IN_CYCLE = 2;
/** JOIN_RATE_GUARD_MS of the bench's ingesters, in wall-clock milliseconds (scaleModel.ts joinPhaseFactor says why). */
const JOIN_GUARD_MS = Number(process.env.SCALE_JOIN_GUARD_MS ?? 400);

/**
 * LEASE_DURATION_MS of the bench's ingesters (production: 15 s). The emulators answer from the
 * bench's own event loop, beside the consumer and the Kinesis emulator, and the compressed refresh
 * interval makes the refresher write and every slot read the 128 KB shard items ten times as often
 * as in production: at 100,000 channels a renewal then sometimes took longer than 15 s, and slots
 * lost leases they still served (562 in 4 minutes, all expiries). A lease lost is safe (the slot
 * stops, another claims it) but churns the joins this bench times.
 */
const LEASE_MS = Number(process.env.SCALE_LEASE_MS ?? 60_000);

const log = (message: string) => process.stderr.write(`scale: ${message}\n`);

function settings(quick: boolean) {
  const channels = Number(process.env.SCALE_CHANNELS ?? (quick ? 5000 : 100_000));
  const factor = Number(process.env.SCALE_TIME_FACTOR ?? 10);
  if (!Number.isInteger(channels) || channels < 100) throw new RangeError('SCALE_CHANNELS must be an integer of at least 100');
  // All of Twitch at its average rate (SCALE_RATE_FACTOR × it: PEAK_FACTOR is the peak the bill
  // sizes for); a smaller run keeps the per-channel rates of the same ranks' share. At the peak
  // rate, 100,000 channels need more than this machine's two cores: the bench's own process (the
  // emulators, the consumer, SQLite) ran at a full core and stored 2,000 of the 4,900 events a
  // second, and the ingesters took most of the other.
  const rateFactor = Number(process.env.SCALE_RATE_FACTOR ?? 1);
  if (!(rateFactor > 0 && rateFactor <= PEAK_FACTOR)) throw new RangeError(`SCALE_RATE_FACTOR must be above 0 and at most ${PEAK_FACTOR}`);
  const rate = Math.round((((rateFactor * TWITCH_MESSAGES_PER_MINUTE) / 60) * channels) / 100_000);
  const churn = churnPerRefresh(channels);
  return { channels, factor, rate, churn, spare: churn * (CHURN_CYCLES + 1), timing: compressedTiming(factor) };
}

/** The production bundle of the ingester (scripts/bundle.mjs), inside the repository so its packages resolve. */
function bundleIngester(): string {
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'bundle.mjs'), BUILD_DIR], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`bundling failed with ${result.status ?? result.signal}`);
  return join(BUILD_DIR, 'ingester.mjs');
}

function rssMb(pid: number | undefined): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? NaN : Number(kb) / 1024;
  } catch {
    return NaN;
  }
}

/** The control table's items that the refresher writes (not the ingesters' leases), by key, with their billed size. */
async function refresherItems(
  dynamo: DynamoDBClient,
  table: string,
): Promise<Map<string, { body: string; bytes: number; shard: boolean }>> {
  const items = new Map<string, { body: string; bytes: number; shard: boolean }>();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamo.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      const pk = item.pk?.S ?? '';
      if (pk.startsWith('lease#') || pk === 'admin') continue;
      items.set(`${pk}|${item.sk?.S ?? ''}`, { body: JSON.stringify(item), bytes: dynamoItemBytes(item), shard: pk.startsWith('shard#') });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** A raid USERNOTICE from `from` into `to`, as Twitch sends it, with its own id. */
function raidLine(from: { login: string; id: string; displayName: string }, to: { login: string; id: string }, viewers: number): string {
  const tags = [
    'badge-info=',
    'badges=',
    'color=#8A2BE2',
    `display-name=${from.displayName}`,
    'emotes=',
    'flags=',
    `id=${randomUUID()}`,
    `login=${from.login}`,
    'mod=0',
    'msg-id=raid',
    `msg-param-displayName=${from.displayName}`,
    `msg-param-login=${from.login}`,
    `msg-param-viewerCount=${viewers}`,
    `room-id=${to.id}`,
    'subscriber=0',
    `system-msg=${viewers}\\sraiders\\sfrom\\s${from.displayName}\\shave\\sjoined!`,
    `tmi-sent-ts=${Date.now()}`,
    `user-id=${from.id}`,
    'user-type=',
  ];
  return `@${tags.join(';')} :tmi.twitch.tv USERNOTICE #${to.login}`;
}

interface Worker {
  index: number;
  pid: number | undefined;
  port: number;
}

const workersOf = (pipeline: LocalPipeline): Worker[] =>
  pipeline.supervisor!.running.map((w) => ({ index: w.index, pid: w.child?.pid, port: w.metricsPort }));

async function scrapeAll(workers: readonly Worker[], names: string[]): Promise<Map<number, Record<string, number>>> {
  const out = new Map<number, Record<string, number>>();
  await Promise.all(
    workers.map(async (w) => {
      try {
        out.set(w.index, await scrapeMetrics(w.port, names));
      } catch {
        // A worker starting or just killed has no metrics to read.
      }
    }),
  );
  return out;
}

export async function bench(options: { quick: boolean }): Promise<Record<string, number>> {
  const s = settings(options.quick);
  const skew = skewSummary(s.channels, s.rate, ZIPF_EXPONENT);
  log(
    `${s.channels} channels (+${s.spare} offline to churn in), ${s.rate} events/s (top ${skew.topRates.map((r) => r.toFixed(0)).join(', ')}/s, ` +
      `${(skew.shareBelowOnePerMinute * 100).toFixed(0)} % below 1/min), time ×${s.factor}: JOIN ${s.timing.joinLimit.count}/${s.timing.joinLimit.windowMs} ms, refresh every ${s.timing.refreshIntervalMs / 1000} s`,
  );
  const bundle = bundleIngester();
  const dataDir = mkdtempSync(join(tmpdir(), 'poglytics-scale-'));
  const dbPath = join(dataDir, 'events.db');
  let sim: SimWorker | null = null;
  let pipeline: LocalPipeline | null = null;
  let dynamo: DynamoDBClient | null = null;
  try {
    sim = await startSimWorker({
      channels: s.channels + s.spare,
      messagesPerSecond: s.rate,
      seed: 19,
      zipfExponent: ZIPF_EXPONENT,
      joinLimit: s.timing.joinLimit,
      helix: { rateLimit: null, liveChannels: s.channels },
      groundTruth: { mode: 'full', maxRecords: 50_000_000, recordUndelivered: false },
      trafficAutoStart: true,
    });
    const sink = createSink({ sink: 'sqlite', path: dbPath });
    await sink.migrate();
    const production = productionConfig();
    const config = loadRefresherConfig({
      CAPTURE_REPLICAS: String(REPLICAS),
      MAX_CHANNELS: String(s.channels),
      STANDBY_TASKS: '1',
      // Shards per ingester process and channels per connection as production deploys them (infra/stages/production.json).
      SLOTS_PER_TASK: String(production.slotsPerTask),
      CHANNELS_PER_CONNECTION: String(production.channelsPerConnection),
      OFFLINE_GRACE_MINUTES: String(Math.round(10 / s.factor)),
      LOG_LEVEL: 'warn',
    });
    const startedAt = Date.now();
    pipeline = await startLocalPipeline({
      config,
      components: ['refresher', 'ingesters', 'consumer'],
      twitch: {
        ircUrl: sim.ircUrl,
        helixUrl: sim.helixUrl,
        authUrl: sim.authUrl,
        credentials: { clientId: sim.clientId, clientSecret: sim.clientSecret },
      },
      sink,
      dataDir,
      logger: createLogger('warn', { service: 'scale' }),
      refreshIntervalMs: s.timing.refreshIntervalMs,
      kinesisShards: 2,
      ingesterEnv: {
        JOIN_RATE_COUNT: String(s.timing.joinLimit.count),
        JOIN_RATE_WINDOW_MS: String(s.timing.joinLimit.windowMs),
        JOIN_RATE_GUARD_MS: String(JOIN_GUARD_MS),
        LEASE_DURATION_MS: String(LEASE_MS),
        LOG_LEVEL: 'warn',
      },
      ingesterCommand: { command: [process.execPath, '--enable-source-maps', bundle], cwd: ROOT },
      metricsPort: 0,
      metricsHost: '127.0.0.1',
      onIngesterOutput: (index, line) => {
        if (process.env.BENCH_DEBUG || /"level":"error"/.test(line)) process.stderr.write(`[ingester ${index}] ${line}\n`);
      },
    });
    const live = pipeline;
    const simulator = sim;
    dynamo = new DynamoDBClient(
      awsClientConfig({ region: config.awsRegion, endpoint: live.endpoint, staticCredentials: config.awsStaticCredentials }),
    );
    const control = dynamo;

    // Every refresh: its duration, and the write units of the items it changed (a scan after it, diffed with the one before).
    const refreshes: { report: RefreshReport; writeUnits: number; largestShardBytes: number }[] = [];
    let items = new Map<string, { body: string; bytes: number; shard: boolean }>();
    let lastEpoch: number | null = null;
    const watchRefresh = async (): Promise<void> => {
      const report = (await live.status()).lastRefresh;
      if (report === null || report.epoch === lastEpoch) return;
      lastEpoch = report.epoch;
      const next = await refresherItems(control, config.controlTableName);
      let units = 0;
      let largest = 0;
      for (const [key, item] of next) {
        const before = items.get(key);
        if (before?.body !== item.body) units += writeUnits(before?.bytes, item.bytes);
        if (item.shard) largest = Math.max(largest, item.bytes);
      }
      items = next;
      refreshes.push({ report, writeUnits: units, largestShardBytes: largest });
      log(
        `refresh ${refreshes.length}: ${report.assigned} channels in ${report.shards} shards, ${report.durationMs} ms, ${units} write units`,
      );
    };
    const coverage = async () => {
      const status = await live.status();
      return { joined: status.joined, wanted: status.assigned * REPLICAS, status };
    };

    // Cold start: until every live channel is joined by both replicas.
    const coldDeadline = Date.now() + 30 * 60_000;
    let coveredAt = 0;
    let lastLog = 0;
    while (Date.now() < coldDeadline) {
      await sleep(1000);
      await watchRefresh();
      const { joined, wanted, status } = await coverage();
      if (Date.now() - lastLog > 15_000) {
        lastLog = Date.now();
        const counters = await simulator.stats();
        log(
          `cold start: ${joined}/${wanted} joined, ingesters ${status.running}/${status.desired}, ${status.stored} stored, ` +
            `${counters.droppedJoinLimit} connections dropped for the JOIN limit, ${counters.droppedSlowReaders} as slow readers`,
        );
      }
      if (wanted > 0 && joined >= wanted && status.assigned >= s.channels) {
        coveredAt = Date.now();
        break;
      }
    }
    if (coveredAt === 0) throw new Error('cold start did not reach full coverage within 30 minutes');
    const firstJoinAt = await simulator.firstJoinAt();
    const joinFactor = joinPhaseFactor(s.timing.joinLimit.windowMs, JOIN_GUARD_MS);
    const coldStart = coldStartMinutes({ startedAt, firstJoinAt, coveredAt }, joinFactor);
    log(`full coverage after ${((coveredAt - startedAt) / 1000).toFixed(0)} s wall: ${coldStart.toFixed(1)} min in real time`);

    // Memory with every channel joined: each worker process's RSS and the channels it holds.
    const workers = workersOf(live);
    const joinedBy = await scrapeAll(workers, ['twitch_scraper_joined_channels_total']);
    const points: { channels: number; rssMb: number }[] = [];
    for (const w of workers) {
      const rss = rssMb(w.pid);
      const channels = joinedBy.get(w.index)?.twitch_scraper_joined_channels_total;
      if (Number.isFinite(rss) && channels !== undefined) points.push({ channels, rssMb: rss });
    }
    const holding = points.filter((p) => p.channels > 0);
    if (holding.length === 0) throw new Error('no ingester holding channels to measure memory');
    const holderRss = holding.reduce((a, p) => a + p.rssMb, 0);
    const holderChannels = holding.reduce((a, p) => a + p.channels, 0);
    const holders = holding.length;
    // All-in: a process's whole RSS over the channels it holds, its base included (an upper bound
    // of the marginal figure). A fit of RSS to channels (base + slope) was tried: the processes of
    // a run hold 29,000-37,000 channels each, too narrow a spread for a slope (one run fitted
    // 36 MB + 11.7 MB per 2,000 channels, the next 197 MB + 1.2 MB).
    const perTwoThousand = (holderRss / holderChannels) * 2000;
    log(
      `memory: ${points.map((p) => `${p.channels} channels ${p.rssMb.toFixed(0)} MB`).join(', ')}; ` +
        `${perTwoThousand.toFixed(1)} MB per 2,000 channels, all in`,
    );

    // Churn, raids, and one ingester killed; stream bytes over the same window.
    const bytesAt = async () =>
      [...(await scrapeAll(workersOf(live), ['poglytics_kinesis_bytes_total'])).entries()].map(
        ([index, m]) => [index, m.poglytics_kinesis_bytes_total ?? 0] as const,
      );
    const bytesBefore = new Map(await bytesAt());
    const ircBefore = await simulator.stats();
    const windowStart = Date.now();
    const catalog = simulator.channels;
    const byLogin = new Map(catalog.map((c) => [c.login, c]));
    const liveSet = new Set(catalog.slice(0, s.channels).map((c) => c.login));
    let nextSpare = s.channels;
    const raidIds: string[] = [];
    let killed = 0;
    let ended = 0;
    for (let cycle = 1; cycle <= CHURN_CYCLES; cycle++) {
      const half = s.timing.refreshIntervalMs / 2;
      for (const until = Date.now() + half; Date.now() < until;) {
        await sleep(1000);
        await watchRefresh();
      }
      if (cycle === KILL_IN_CYCLE) {
        const held = await scrapeAll(workersOf(live), ['poglytics_lease_held']);
        const victim = [...held.entries()].find(([, m]) => (m.poglytics_lease_held ?? 0) > 0)?.[0];
        // A task of many slots holds many leases: any holder will do (the first found).
        if (victim === undefined) throw new Error('no ingester holds a lease to kill');
        live.supervisor!.kill(victim);
        killed++;
        log(`killed ingester ${victim} (SIGKILL)`);
      }
      // Streams end (a share of them raiding a live channel) and as many start. The thread runs the
      // calls in the order they are posted, so they are posted at once and awaited together: one
      // at a time, each waited for a turn of this busy event loop (thousands of them per cycle).
      const logins = [...liveSet];
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < s.churn && nextSpare < catalog.length; i++) {
        const from = byLogin.get(logins[(i * 7919 + cycle * 104_729) % logins.length]!)!;
        if (!liveSet.delete(from.login)) continue;
        calls.push(simulator.setLive(from.login, false));
        ended++;
        if (i < s.churn * RAID_SHARE) {
          const to = catalog[(i * 31 + cycle) % Math.min(1000, s.channels)]!;
          if (liveSet.has(to.login)) {
            const viewers = Math.max(1, Math.round(from.viewers));
            const line = raidLine(from, to, viewers);
            const id = /;id=([^;]+)/.exec(line)![1]!;
            calls.push(simulator.sendLine(to.login, line).then((sent) => sent && raidIds.push(id)));
            calls.push(simulator.setViewers(to.login, to.viewers + viewers));
          }
        }
        const started = catalog[nextSpare++]!;
        calls.push(simulator.setLive(started.login, true));
        liveSet.add(started.login);
      }
      await Promise.all(calls);
      log(`cycle ${cycle}: ${s.churn} streams ended and started, ${raidIds.length} raids so far`);
      for (const until = Date.now() + half; Date.now() < until;) {
        await sleep(1000);
        await watchRefresh();
      }
    }
    const windowS = (Date.now() - windowStart) / 1000;
    const ircAfter = await simulator.stats();
    let streamBytes = 0;
    for (const [index, bytes] of await bytesAt()) {
      const before = bytesBefore.get(index) ?? 0;
      streamBytes += bytes >= before ? bytes - before : bytes;
    }

    // Everything joined again (the killed slot taken over), then stop and drain.
    const recoverDeadline = Date.now() + 10 * 60_000;
    while (Date.now() < recoverDeadline) {
      const { joined, wanted } = await coverage();
      if (joined >= wanted) break;
      await sleep(1000);
    }
    await sleep(2000);
    await simulator.stopTraffic();
    await sleep(2000);
    const final = await live.stop();
    pipeline = null;
    const joinLimitDrops = (await simulator.stats()).droppedJoinLimit;
    // The comparison reads only the traffic records of the ground truth.
    const records = await simulator.trafficRecords();
    const truth = compareWithGroundTruth({ dbPath, sim: { groundTruth: { records: () => records } } as unknown as Simulator });
    const db = openSqliteDatabase(dbPath, { readonly: true });
    const storedRaids = new Set(
      (db.prepare("SELECT event_id FROM chat_events WHERE kind = 'usernotice' AND subtype = 'raid'").all() as { event_id: string }[]).map(
        (r) => r.event_id,
      ),
    );
    const raidsMissing = raidIds.filter((id) => !storedRaids.has(id)).length;
    db.close();
    for (const r of truth.missing.slice(0, 5))
      log(`missing: ${r.kind} ${r.channel} sent ${r.sentAt - startedAt} ms after the start to [${r.connectionIds.join(',')}]`);
    for (const raw of truth.storedTwice.slice(0, 5)) log(`stored twice: ${raw}`);
    if (process.env.BENCH_DEBUG) logStoredTwice(dbPath, truth.storedTwice, records, startedAt);
    const sent = truth.sent + raidIds.length;
    const result = completeness(sent, truth.missing.length + raidsMissing);
    log(
      `${sent} events sent to joined channels, ${result.lost} missing, ${truth.storedTwice.length} stored twice; ` +
        `${final.stored} stored, ${final.duplicates} replica copies dropped`,
    );
    const steady = refreshes.slice(1);
    const mean = (values: number[]) => (values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length);
    return {
      'scale.channels': s.channels,
      'scale.time_factor': s.factor,
      'scale.replicas': REPLICAS,
      'scale.slots_per_task': config.slotsPerTask,
      'scale.channels_per_connection': config.channelsPerConnection,
      'scale.offered_events_per_s': s.rate,
      'scale.top_channel_events_per_s': skew.topRates[0] ?? 0,
      'scale.tail_share_below_1_per_min': skew.shareBelowOnePerMinute,
      'scale.churn_per_refresh': s.churn,
      'scale.streams_ended': ended,
      'scale.raids': raidIds.length,
      'scale.events_sent': sent,
      'scale.captured_share': result.capturedShare,
      'scale.cold_start_minutes': coldStart,
      'scale.cold_start_wall_s': (coveredAt - startedAt) / 1000,
      'scale.join_phase_factor': joinFactor,
      'scale.join_limit_drops': joinLimitDrops,
      'scale.ingesters': holders,
      'scale.ingester_rss_mb': holderRss / holders,
      'scale.ingester_channels': holderChannels / holders,
      // What a shard of 2,000 channels costs a task, all in (the bill's input; it adds its own base, so this errs high).
      'scale.rss_mb_per_2000_channels': perTwoThousand,
      'scale.refresh_ms': mean(steady.map((r) => r.report.durationMs)),
      'scale.refresh_ms_first': refreshes[0]?.report.durationMs ?? NaN,
      'scale.refresher_write_units_per_refresh': mean(steady.map((r) => r.writeUnits)),
      // Bytes of IRC the simulator wrote per event delivered (plain WebSocket frames; Twitch adds TLS).
      'scale.irc_bytes_per_event': (ircAfter.bytesSent - ircBefore.bytesSent) / Math.max(1, ircAfter.deliveries - ircBefore.deliveries),
      'scale.refreshes': refreshes.length,
      'scale.largest_assignment_item_bytes': Math.max(0, ...refreshes.map((r) => r.largestShardBytes)),
      'scale.stream_mb_per_s': streamBytes / windowS / 1e6,
      'faults.lost_events': result.lost + truth.storedTwice.length,
      'faults.scale_kills': killed,
    };
  } finally {
    await pipeline?.stop().catch(() => undefined);
    dynamo?.destroy();
    await sim?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** BENCH_DEBUG: each line stored twice with when it was sent and each stored copy's id, anchor kind and received_at. */
function logStoredTwice(dbPath: string, raws: readonly string[], records: readonly GroundTruthRecord[], startedAt: number): void {
  const db = openSqliteDatabase(dbPath, { readonly: true });
  const rows = db.prepare('SELECT event_id, received_at FROM chat_events WHERE raw = ?');
  for (const raw of raws) {
    const sentAt = records.filter((r) => r.raw === raw).map((r) => r.sentAt - startedAt);
    const message = parseLine(raw);
    const copies = (rows.all(raw) as { event_id: string; received_at: number }[]).map(({ event_id, received_at }) => {
      const anchor =
        eventId(message, windowAnchor(received_at, REPLICA_WINDOW_MS)) === event_id
          ? 'window'
          : eventId(message, orphanAnchor(received_at)) === event_id
            ? 'orphan'
            : 'next';
      return `${event_id.slice(0, 10)} ${anchor} received ${received_at - startedAt} ms (${received_at % REPLICA_WINDOW_MS} into its window)`;
    });
    log(`stored twice, sent at [${sentAt.join(', ')}] ms: ${copies.join('; ')}`);
  }
  db.close();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await bench({ quick: process.argv.includes('--quick') });
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  process.exit(0);
}
