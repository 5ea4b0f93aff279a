/**
 * `poglytics local` (= `npm start`): the whole pipeline on one machine. Twitch is real Twitch when
 * TWITCH_CLIENT_ID/SECRET or CHANNELS are set, else the built-in simulator (announced loudly).
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadRefresherConfig } from '../core/control/loadRefresherConfig.ts';
import { ConfigError } from '../core/errors.ts';
import { ALL_COMPONENTS, startLocalPipeline, type LocalComponent, type LocalStatus, type TwitchEndpoints } from '../core/local/localPipeline.ts';
import { createLogger } from '../core/log.ts';
import { createSinkFromEnv, loadSinkConfig } from '../core/sinks/createSink.ts';
import { startSimulator, type Simulator } from '../services/twitch-sim/startSimulator.ts';
import { readInt, readString } from '../core/config.ts';

const USAGE = `usage: poglytics local [options]
  --components LIST   comma-separated: refresher,ingesters,consumer (default all)
  --duration S        stop by itself after S seconds (default: run until Ctrl-C)
  --sim-channels N    simulated channels when the simulator is used (default 200)
  --sim-rate N        simulated event lines per second (default 500)
  --sim-seed N        simulator seed (default: from the clock, so a second run makes new events
                      instead of repeats that the sink's event_id dedupe would skip)
  --quiet             no status line
Environment: see README (TWITCH_CLIENT_ID/SECRET, CHANNELS, SINK, DATABASE_URL, CLICKHOUSE_URL, …);
LOCAL_REFRESH_INTERVAL_MS (default 30000), KINESIS_SHARDS (default 2), DATA_DIR (default ./data).`;

interface LocalArgs {
  components: LocalComponent[];
  durationS: number | null;
  simChannels: number;
  simRate: number;
  simSeed: number;
  quiet: boolean;
}

function parseArgs(args: string[]): LocalArgs | string {
  const parsed: LocalArgs = { components: [...ALL_COMPONENTS], durationS: null, simChannels: 200, simRate: 500, simSeed: Date.now() % 2_147_483_647, quiet: false };
  const int = (flag: string, value: string | undefined) => {
    if (value === undefined || !/^\d+$/.test(value)) throw new ConfigError(`${flag} needs a non-negative integer`);
    return Number(value);
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--help' || arg === '-h') return USAGE;
    else if (arg === '--components') {
      const list = (args[++i] ?? '').split(',').map((c) => c.trim()).filter(Boolean);
      for (const c of list) if (!ALL_COMPONENTS.includes(c as LocalComponent)) throw new ConfigError(`--components: unknown component "${c}"`);
      parsed.components = list as LocalComponent[];
    } else if (arg === '--duration') parsed.durationS = int(arg, args[++i]);
    else if (arg === '--sim-channels') parsed.simChannels = int(arg, args[++i]);
    else if (arg === '--sim-rate') parsed.simRate = int(arg, args[++i]);
    else if (arg === '--sim-seed') parsed.simSeed = int(arg, args[++i]);
    else if (arg === '--quiet') parsed.quiet = true;
    else throw new ConfigError(`unknown option ${arg}\n${USAGE}`);
  }
  return parsed;
}

function formatStatus(s: LocalStatus, previous: LocalStatus | null, seconds: number): string {
  const rate = (now: number, before: number | undefined) => ((now - (before ?? 0)) / seconds).toFixed(0);
  const lag = s.lagP50Ms === null ? '–' : s.lagP50Ms === Infinity ? '>60s' : `≤${(s.lagP50Ms / 1000).toFixed(2)}s`;
  return (
    `channels ${s.joined}/${s.assigned} joined · shards ${s.shards} · ingesters ${s.running}/${s.desired} · ` +
    `in ${rate(s.received, previous?.received)}/s · stored ${rate(s.stored, previous?.stored)}/s (${s.stored} total) · ` +
    `lag p50 ${lag} · dead letters ${s.deadLetters}` +
    // Per replica: with CAPTURE_REPLICAS >= 2 another copy may have covered the gap.
    (s.captureGapMaxS === null ? '' : ` · max capture gap ${s.captureGapMaxS.toFixed(1)}s`)
  );
}

export async function run(args: string[]): Promise<number> {
  let parsed: LocalArgs | string;
  try {
    parsed = parseArgs(args);
  } catch (error) {
    process.stderr.write(`poglytics local: ${(error as Error).message}\n`);
    return 2;
  }
  if (typeof parsed === 'string') {
    process.stdout.write(parsed + '\n');
    return 0;
  }
  const env = process.env;
  const logger = createLogger(undefined, { service: 'local' });
  // One warm standby: it takes over a crashed ingester's slot (the supervisor frees it at once)
  // without waiting for a new process to start, so a kill -9 leaves a gap of a few seconds only.
  const config = loadRefresherConfig({ STANDBY_TASKS: '1', ...env });
  const dataDir = resolve(readString(env, 'DATA_DIR') ?? './data');
  mkdirSync(dataDir, { recursive: true });

  let sim: Simulator | null = null;
  let twitch: TwitchEndpoints;
  const hasCredentials = Boolean(config.twitchClientId && config.twitchClientSecret);
  const needsTwitch = parsed.components.includes('refresher') || parsed.components.includes('ingesters');
  if (!needsTwitch || hasCredentials || config.channels.length > 0) {
    twitch = {
      ircUrl: config.twitchIrcUrl,
      helixUrl: config.twitchHelixUrl,
      authUrl: config.twitchAuthUrl,
      credentials: hasCredentials ? { clientId: config.twitchClientId!, clientSecret: config.twitchClientSecret! } : null,
    };
    if (needsTwitch) process.stderr.write(`poglytics local: capturing ${config.channels.length > 0 ? `CHANNELS (${config.channels.length})` : 'the top live channels from Helix'} via ${config.twitchIrcUrl}\n`);
  } else {
    sim = await startSimulator({ channels: parsed.simChannels, messagesPerSecond: parsed.simRate, seed: parsed.simSeed, joinLimit: null, groundTruth: { mode: 'counts' } });
    twitch = { ircUrl: sim.ircUrl, helixUrl: sim.helixUrl, authUrl: sim.authUrl, credentials: { clientId: sim.options.helix.clientId, clientSecret: sim.options.helix.clientSecret } };
    process.stderr.write(
      [
        '',
        '  ┌──────────────────────────────────────────────────────────────────────────┐',
        '  │  SIMULATED TWITCH CHAT — no TWITCH_CLIENT_ID/SECRET and no CHANNELS set.  │',
        '  │  Everything captured below is generated by the built-in simulator.       │',
        '  └──────────────────────────────────────────────────────────────────────────┘',
        `  simulator: ${parsed.simChannels} channels, ${parsed.simRate} events/s, seed ${parsed.simSeed} (--sim-seed), at ${sim.httpUrl}`,
        '',
      ].join('\n') + '\n',
    );
  }

  const sinkConfig = parsed.components.includes('consumer') ? await loadSinkConfig(env) : null;
  if (sinkConfig?.sink === 'sqlite') mkdirSync(dirname(resolve(sinkConfig.path)), { recursive: true });
  const sink = sinkConfig ? await createSinkFromEnv(env) : null;
  await sink?.migrate();

  const pipeline = await startLocalPipeline({
    config: { ...config, channels: config.channels, standbyTasks: config.standbyTasks },
    components: parsed.components,
    twitch,
    sink,
    dataDir,
    logger,
    refreshIntervalMs: readInt(env, 'LOCAL_REFRESH_INTERVAL_MS', 30_000, { min: 1000 }),
    kinesisShards: readInt(env, 'KINESIS_SHARDS', 2, { min: 1, max: 50 }),
    metricsPort: config.metricsPort,
    // The simulator has no JOIN limit here, so local demos join in seconds; real Twitch keeps 20 per 10 s.
    ...(sim ? { ingesterEnv: { JOIN_RATE_COUNT: '200', JOIN_RATE_WINDOW_MS: '1000' } } : {}),
    onIngesterOutput: (index, line) => {
      if (config.logLevel === 'debug' || /"level":"(warn|error)"/.test(line)) process.stderr.write(`[ingester ${index}] ${line}\n`);
    },
  });
  process.stderr.write(
    `poglytics local: sink ${sinkConfig ? (sinkConfig.sink === 'sqlite' ? `sqlite ${resolve(sinkConfig.path)}` : sinkConfig.sink) : 'none'} · ` +
      `metrics ${pipeline.metricsUrl ?? 'off'} · AWS endpoint ${pipeline.endpoint} · Ctrl-C stops\n`,
  );

  const intervalS = 5;
  let previous: LocalStatus | null = null;
  const statusTimer = setInterval(async () => {
    const status = await pipeline.status();
    if (!parsed.quiet) process.stderr.write(formatStatus(status, previous, intervalS) + '\n');
    previous = status;
  }, intervalS * 1000);

  const started = Date.now();
  await new Promise<void>((resolveStop) => {
    process.once('SIGINT', resolveStop);
    process.once('SIGTERM', resolveStop);
    if (parsed.durationS !== null) setTimeout(resolveStop, parsed.durationS * 1000).unref();
  });
  clearInterval(statusTimer);
  process.stderr.write('poglytics local: stopping — flushing ingesters and draining the stream…\n');
  const final = await pipeline.stop();
  await sim?.close();
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  process.stderr.write(
    `poglytics local: stopped after ${seconds} s · ${final.stored} events stored (${final.duplicates} duplicates skipped) · ` +
      `${final.deadLetters} dead letters · ${final.assigned} channels assigned\n`,
  );
  return 0;
}
