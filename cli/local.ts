/**
 * `poglytics local` (= `npm start`): the whole pipeline on one machine. Twitch is real Twitch when
 * TWITCH_CLIENT_ID/SECRET or CHANNELS are set, else the built-in simulator (announced loudly).
 */
import { resolve } from 'node:path';
import { FileChannelOverrideStore, channelOverridesPath } from '../core/control/documentStores.ts';
import { fileOptOutStore, optOutsPath } from '../core/optout/optOutStores.ts';
import { NO_OVERRIDES, type ChannelOverrideStore, type ChannelOverrides } from '../core/control/channelOverrides.ts';
import { ConfigError } from '../core/errors.ts';
import {
  ALL_COMPONENTS,
  startLocalPipeline,
  type LocalComponent,
  type LocalPipeline,
  type LocalStatus,
  type TwitchEndpoints,
} from '../services/local/localPipeline.ts';
import { createLogger } from '../core/log.ts';
import { createSink } from '../core/sinks/createSink.ts';
import { ChatEventHub } from '../core/read/chatEventHub.ts';
import { createChatReader } from '../core/read/createChatReader.ts';
import { publishingSink } from '../services/local/publishingSink.ts';
import { createApiMetrics } from '../services/api/apiMetrics.ts';
import { startApiServer, type RunningApi } from '../services/api/startApiServer.ts';
import { startSimulator, type Simulator } from '../services/twitch-sim/startSimulator.ts';
import { parseVerbArgs, stringOption } from './parseVerbArgs.ts';
import { preflightLocal, problemOf, type Problem } from './preflight.ts';

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

/** A mistake throws a ConfigError naming the option, printed like a bad setting (exit 2). */
function parseLocalArgs(args: readonly string[]): LocalArgs | 'help' {
  const options = {
    components: { type: 'string' },
    duration: { type: 'string' },
    'sim-channels': { type: 'string' },
    'sim-rate': { type: 'string' },
    'sim-seed': { type: 'string' },
    quiet: { type: 'boolean' },
  } as const;
  const parsed = parseVerbArgs(args, options, false);
  if (parsed.kind === 'help') return 'help';
  if (parsed.kind === 'error') {
    const unknown = parsed.message.startsWith('unknown option');
    throw new ConfigError(unknown ? 'unknown option (poglytics local --help lists them)' : parsed.message, {
      setting: parsed.option ?? 'arguments',
    });
  }
  const int = (name: string, fallback: number): number => {
    const value = stringOption(parsed.values, name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value)) throw new ConfigError(`--${name} needs a non-negative integer`, { setting: `--${name}` });
    return Number(value);
  };
  let components = [...ALL_COMPONENTS];
  const list = stringOption(parsed.values, 'components');
  if (list !== undefined) {
    const named = list
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    for (const c of named)
      if (!ALL_COMPONENTS.includes(c as LocalComponent))
        throw new ConfigError(`unknown component "${c}" (${ALL_COMPONENTS.join(', ')})`, { setting: '--components' });
    components = named as LocalComponent[];
  }
  const duration = int('duration', -1);
  return {
    components,
    durationS: duration < 0 ? null : duration,
    simChannels: int('sim-channels', 200),
    simRate: int('sim-rate', 500),
    simSeed: int('sim-seed', Date.now() % 2_147_483_647),
    quiet: parsed.values.quiet === true,
  };
}

function formatStatus(s: LocalStatus, previous: LocalStatus | null, seconds: number, overrides: ChannelOverrides): string {
  const added = Object.keys(overrides.added).length;
  const excluded = Object.keys(overrides.excluded).length;
  const rate = (now: number, before: number | undefined) => ((now - (before ?? 0)) / seconds).toFixed(0);
  const lag = s.lagP50Ms === null ? '–' : s.lagP50Ms === Infinity ? '>60s' : `≤${(s.lagP50Ms / 1000).toFixed(2)}s`;
  return (
    `channels ${s.joined}/${s.assigned} joined · shards ${s.shards} · ingesters ${s.running}/${s.desired} · ` +
    `in ${rate(s.received, previous?.received)}/s · stored ${rate(s.stored, previous?.stored)}/s (${s.stored} total) · ` +
    `lag p50 ${lag} · dead letters ${s.deadLetters}` +
    // Per replica: with CAPTURE_REPLICAS >= 2 another copy may have covered the gap.
    (s.captureGapMaxS === null ? '' : ` · max capture gap ${s.captureGapMaxS.toFixed(1)}s`) +
    (added + excluded === 0 ? '' : ` · admin +${added} added, ${excluded} excluded`)
  );
}

/** Why `local` stops: Ctrl-C / SIGTERM, --duration, or an ingester that cannot start as configured. */
type StopReason = { readonly kind: 'signal' } | { readonly kind: 'duration' } | { readonly kind: 'fatal'; readonly message: string };

function printProblems(problems: readonly Problem[]): number {
  for (const p of problems) process.stderr.write(`poglytics local: ${p.subject}: ${p.detail}\n`);
  return 2;
}

export async function run(args: string[]): Promise<number> {
  let parsed: LocalArgs | 'help';
  try {
    parsed = parseLocalArgs(args);
  } catch (error) {
    return printProblems([problemOf(error, 'arguments')]);
  }
  if (parsed === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const preflight = await preflightLocal(process.env, parsed.components);
  if (!preflight.ok) return printProblems(preflight.problems);
  const { config, dataDir, sinkConfig } = preflight.plan;
  const logger = createLogger(config.logLevel, { service: 'local' });

  // Every way to stop funnels into one promise, so a fatal ingester during the start is not missed.
  let requestStop: (reason: StopReason) => void = () => undefined;
  const stopRequested = new Promise<StopReason>((resolveStop) => (requestStop = resolveStop));
  const onSignal = () => requestStop({ kind: 'signal' });
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let sim: Simulator | null = null;
  let pipeline: LocalPipeline | null = null;
  let api: RunningApi | null = null;
  try {
    let twitch: TwitchEndpoints;
    if (!preflight.plan.simulated) {
      const hasCredentials = Boolean(config.twitchClientId && config.twitchClientSecret);
      twitch = {
        ircUrl: config.twitchIrcUrl,
        helixUrl: config.twitchHelixUrl,
        authUrl: config.twitchAuthUrl,
        credentials: hasCredentials ? { clientId: config.twitchClientId!, clientSecret: config.twitchClientSecret! } : null,
      };
      const needsTwitch = parsed.components.includes('refresher') || parsed.components.includes('ingesters');
      if (needsTwitch)
        process.stderr.write(
          `poglytics local: capturing ${config.channels.length > 0 ? `CHANNELS (${config.channels.length})` : 'the top live channels from Helix'} via ${config.twitchIrcUrl}\n`,
        );
    } else {
      sim = await startSimulator({
        channels: parsed.simChannels,
        messagesPerSecond: parsed.simRate,
        seed: parsed.simSeed,
        joinLimit: null,
        groundTruth: { mode: 'counts' },
      });
      twitch = {
        ircUrl: sim.ircUrl,
        helixUrl: sim.helixUrl,
        authUrl: sim.authUrl,
        credentials: { clientId: sim.options.helix.clientId, clientSecret: sim.options.helix.clientSecret },
      };
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

    // preflight already migrated it through a short-timeout connection; this one keeps the usual timeouts.
    const plainSink = sinkConfig ? createSink(sinkConfig) : null;
    // The read API's live tails hear of each stored batch from the consumer in this process (services/local/publishingSink.ts).
    const hub = preflight.plan.api && sinkConfig?.sink === 'sqlite' ? new ChatEventHub() : undefined;
    const sink = plainSink && hub ? publishingSink(plainSink, hub) : plainSink;
    pipeline = await startLocalPipeline({
      config,
      components: parsed.components,
      twitch,
      sink,
      dataDir,
      logger,
      refreshIntervalMs: preflight.plan.refreshIntervalMs,
      retention: preflight.plan.retention,
      optOutSweepMs: preflight.plan.optOutSweepMs,
      kinesisShards: preflight.plan.kinesisShards,
      metricsPort: config.metricsPort,
      metricsHost: config.metricsHost,
      ingesterEnv: preflight.plan.ingesterEnv,
      onIngesterOutput: (index, line) => {
        if (config.logLevel === 'debug' || /"level":"(warn|error)"/.test(line)) process.stderr.write(`[ingester ${index}] ${line}\n`);
      },
      onIngesterFatal: (_index, message) => requestStop({ kind: 'fatal', message }),
    });
    const overrides = new FileChannelOverrideStore(channelOverridesPath(preflight.plan.dataDir));
    if (preflight.plan.api && sinkConfig?.sink === 'sqlite') {
      api = await startApiServer(createChatReader(sinkConfig), preflight.plan.api, {
        log: logger,
        metrics: createApiMetrics(pipeline.metrics.registry),
        channelOverrides: overrides,
        optOuts: fileOptOutStore(optOutsPath(preflight.plan.dataDir)),
        ...(hub ? { live: hub } : {}),
      });
    }
    process.stderr.write(
      `poglytics local: sink ${sinkConfig ? (sinkConfig.sink === 'sqlite' ? `sqlite ${resolve(sinkConfig.path)}` : sinkConfig.sink) : 'none'} · ` +
        `metrics ${pipeline.metricsUrl ?? 'off'} · ${api ? `log viewer ${api.url}/ · read API ${api.url}/channels · ` : ''}AWS endpoint ${pipeline.endpoint} · Ctrl-C stops\n`,
    );
    return await runUntilStopped(pipeline, parsed, stopRequested, requestStop, overrides);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // Also on a failed start: nothing this run started outlives it.
    await api?.close().catch(() => undefined);
    await pipeline?.stop().catch(() => undefined);
    await sim?.close();
  }
}

async function runUntilStopped(
  pipeline: LocalPipeline,
  parsed: LocalArgs,
  stopRequested: Promise<StopReason>,
  requestStop: (reason: StopReason) => void,
  overrides: ChannelOverrideStore,
): Promise<number> {
  const intervalS = 5;
  let previous: LocalStatus | null = null;
  // A status that cannot be read is skipped, never an unhandled rejection that ends the process.
  const statusTimer = setInterval(() => {
    Promise.all([pipeline.status(), overrides.load().catch(() => NO_OVERRIDES)]).then(
      ([status, changes]) => {
        if (!parsed.quiet) process.stderr.write(formatStatus(status, previous, intervalS, changes) + '\n');
        previous = status;
      },
      (error: unknown) => process.stderr.write(`status unavailable: ${error instanceof Error ? error.message : String(error)}\n`),
    );
  }, intervalS * 1000);
  const durationTimer =
    parsed.durationS === null ? undefined : setTimeout(() => requestStop({ kind: 'duration' }), parsed.durationS * 1000);

  const started = Date.now();
  const reason = await stopRequested;
  clearInterval(statusTimer);
  clearTimeout(durationTimer);
  if (reason.kind === 'fatal') {
    // The ingester's own one-line message says what to fix; the orderly stop after it is silent.
    process.stderr.write(`poglytics local: ${reason.message}\n`);
    await pipeline.stop();
    return 2;
  }
  process.stderr.write('poglytics local: stopping — flushing ingesters and draining the stream…\n');
  const final = await pipeline.stop();
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  process.stderr.write(
    `poglytics local: stopped after ${seconds} s · ${final.stored} events stored (${final.duplicates} duplicates skipped) · ` +
      `${final.deadLetters} dead letters · ${final.assigned} channels assigned\n`,
  );
  return 0;
}
