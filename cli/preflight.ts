/**
 * `poglytics local`'s checks before anything starts (no simulator, emulator or ingester yet):
 * every setting, the data folder, the metrics port and the sink. A problem names the variable or
 * resource and says what is wrong; `local` prints them one per line and exits 2, so a bad setting
 * never leaves half a pipeline running.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { loadRetention, type Retention } from '../core/sinks/retention.ts';
import { sweepIntervalMs } from '../core/optout/sweepOptOuts.ts';
import { join, resolve } from 'node:path';
import { loadRefresherConfig, type RefresherConfig } from '../core/control/loadRefresherConfig.ts';
import { readInt, readString, type Env } from '../core/config.ts';
import { describeConfigError } from '../core/describeConfigError.ts';
import { ConfigError } from '../core/errors.ts';
import type { LocalComponent } from '../services/local/localPipeline.ts';
import { loadSinkConfig } from '../core/sinks/createSink.ts';
import { probeSink } from '../core/sinks/probeSink.ts';
import type { SinkConfig } from '../core/sinks/types.ts';
import { loadIngesterConfig } from '../services/ingester/loadIngesterConfig.ts';
import { parseIrcUrl } from '../services/ingester/parseIrcUrl.ts';
import { loadApiConfig, type ApiConfig } from '../services/api/loadApiConfig.ts';
import { bindProblem } from './bindProblem.ts';

export interface Problem {
  /** The variable, flag or resource at fault: `KINESIS_SHARDS`, `SQLITE_PATH`, `--duration`. */
  readonly subject: string;
  readonly detail: string;
}

export interface LocalPlan {
  readonly config: RefresherConfig;
  readonly dataDir: string;
  readonly sinkConfig: SinkConfig | null;
  readonly refreshIntervalMs: number;
  readonly kinesisShards: number;
  /** No Twitch credentials and no CHANNELS: the built-in simulator stands in for Twitch. */
  readonly simulated: boolean;
  /** Settings the ingesters get on top of the environment. */
  readonly ingesterEnv: Readonly<Record<string, string>>;
  /** The read API over the sink (API_PORT, API_HOST); null when no sink it can read is configured. */
  readonly api: ApiConfig | null;
  /** RETENTION_DAYS, SNAPSHOT_RETENTION_DAYS. */
  readonly retention: Retention;
  /** How often the opt-out sweep runs, from OPTOUT_DELETE_MINUTES. */
  readonly optOutSweepMs: number;
}

export type Preflight = { readonly ok: true; readonly plan: LocalPlan } | { readonly ok: false; readonly problems: readonly Problem[] };

/** How long the sink may take to answer; an unreachable database fails in about this long, not after a hang. */
const SINK_TIMEOUT_MS = 2000;

export function problemOf(error: unknown, fallbackSubject: string): Problem {
  if (!(error instanceof ConfigError)) return { subject: fallbackSubject, detail: error instanceof Error ? error.message : String(error) };
  const line = describeConfigError(error);
  return error.setting === undefined
    ? { subject: fallbackSubject, detail: line }
    : { subject: error.setting, detail: line.slice(error.setting.length + 2) };
}

/** Runs `read`; a ConfigError becomes a problem (and undefined) instead of a throw, so every check gets its turn. */
function attempt<T>(problems: Problem[], subject: string, read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(problemOf(error, subject));
    return undefined;
  }
}

export async function preflightLocal(env: Env, components: readonly LocalComponent[]): Promise<Preflight> {
  const problems: Problem[] = [];
  const has = (c: LocalComponent) => components.includes(c);

  // Settings first: cheap, and nothing is touched while one of them is wrong.
  // One warm standby: it takes over a crashed ingester's slot (the supervisor frees it at once)
  // without waiting for a new process to start, so a kill -9 leaves a gap of a few seconds only.
  const config = attempt(problems, 'configuration', () => loadRefresherConfig({ STANDBY_TASKS: '1', ...env }));
  const refreshIntervalMs = attempt(problems, 'LOCAL_REFRESH_INTERVAL_MS', () =>
    readInt(env, 'LOCAL_REFRESH_INTERVAL_MS', 30_000, { min: 1000 }),
  );
  const retention = attempt(problems, 'RETENTION_DAYS', () => loadRetention(env));
  const optOutSweepMs = attempt(problems, 'OPTOUT_DELETE_MINUTES', () => sweepIntervalMs(env, 60_000));
  const kinesisShards = attempt(problems, 'KINESIS_SHARDS', () => readInt(env, 'KINESIS_SHARDS', 2, { min: 1, max: 50 }));
  const dataDir = resolve(readString(env, 'DATA_DIR') ?? './data');
  const ircUrl = readString(env, 'TWITCH_IRC_URL');
  // Checked even when the simulator stands in: a value set by mistake should not wait for the day it is used.
  if (ircUrl !== undefined && URL.canParse(ircUrl)) attempt(problems, 'TWITCH_IRC_URL', () => parseIrcUrl(ircUrl));
  let sinkConfig: SinkConfig | null | undefined = null;
  if (has('consumer')) {
    try {
      sinkConfig = await loadSinkConfig(env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(problemOf(error, 'SINK'));
      sinkConfig = undefined;
    }
  }

  // The read API serves what the consumer stores (SQLite so far: docs/read-api.md).
  const api = sinkConfig?.sink === 'sqlite' ? attempt(problems, 'API_PORT', () => loadApiConfig(env)) : null;

  const simulated =
    config !== undefined &&
    !(config.twitchClientId && config.twitchClientSecret) &&
    config.channels.length === 0 &&
    (has('refresher') || has('ingesters'));
  // The simulator has no JOIN limit, so local demos join in seconds; real Twitch keeps 20 per 10 s. A value the user set wins.
  const ingesterEnv: Record<string, string> = simulated
    ? {
        JOIN_RATE_COUNT: readString(env, 'JOIN_RATE_COUNT') ?? '200',
        JOIN_RATE_WINDOW_MS: readString(env, 'JOIN_RATE_WINDOW_MS') ?? '1000',
      }
    : {};
  if (config !== undefined && has('ingesters')) {
    // The ingesters' own settings, as they will read them, so that a bad one stops `local` now rather than each child later.
    attempt(problems, 'ingester', () =>
      loadIngesterConfig({
        ...env,
        ...ingesterEnv,
        TWITCH_IRC_URL: simulated ? 'ws://127.0.0.1:1' : config.twitchIrcUrl,
        TASK_ID: 'preflight',
        METRICS_PORT: '0',
        JOURNAL_DIR: join(dataDir, 'journal'),
        SHUTDOWN_DEADLINE_MS: '5000',
      }),
    );
  }
  if (
    problems.length > 0 ||
    config === undefined ||
    refreshIntervalMs === undefined ||
    kinesisShards === undefined ||
    retention === undefined ||
    optOutSweepMs === undefined ||
    sinkConfig === undefined
  ) {
    return { ok: false, problems: dedupe(problems) };
  }

  // Then the resources, in the order they would be used.
  const dataDirProblem = folderProblem(dataDir);
  if (dataDirProblem !== null) problems.push({ subject: 'DATA_DIR', detail: dataDirProblem });
  if (config.metricsPort !== 0) {
    const portProblem = await bindProblem(config.metricsPort, config.metricsHost);
    if (portProblem !== null) problems.push({ subject: 'METRICS_PORT', detail: portProblem });
    // Ingester i listens on METRICS_PORT + 1 + i; the first one always runs, so its port is checked here too.
    const firstIngesterPort = config.metricsPort + 1;
    const ingesterProblem = components.includes('ingesters') ? await bindProblem(firstIngesterPort, config.metricsHost) : null;
    if (ingesterProblem !== null)
      problems.push({ subject: 'METRICS_PORT', detail: `the first ingester's port (METRICS_PORT + 1): ${ingesterProblem}` });
  }
  if (api && api.port !== 0) {
    const apiProblem = await bindProblem(api.port, api.host);
    if (apiProblem !== null) problems.push({ subject: 'API_PORT', detail: apiProblem });
  }
  if (sinkConfig !== null && problems.length === 0) {
    const sinkProblem = await probeSink(sinkConfig, { timeoutMs: SINK_TIMEOUT_MS });
    if (sinkProblem !== null) problems.push({ subject: sinkSubject(sinkConfig, env), detail: sinkProblem });
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    plan: {
      config,
      dataDir,
      sinkConfig,
      refreshIntervalMs,
      kinesisShards,
      simulated,
      ingesterEnv,
      api: api ?? null,
      retention,
      optOutSweepMs,
    },
  };
}

/** The variable that chose the database, so the message points at what to change. */
function sinkSubject(config: SinkConfig, env: Env): string {
  if (config.sink === 'sqlite') return 'SQLITE_PATH';
  if (config.sink === 'postgres') return readString(env, 'DATABASE_URL') !== undefined ? 'DATABASE_URL' : 'DATABASE_SECRET_ARN';
  return readString(env, 'CLICKHOUSE_URL') !== undefined ? 'CLICKHOUSE_URL' : 'CLICKHOUSE_SECRET_ARN';
}

/** Creates the folder if missing; says why it cannot be the data folder otherwise. */
function folderProblem(path: string): string | null {
  try {
    mkdirSync(path, { recursive: true });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') return `${path} is a file, not a folder`;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return `${path} cannot be created (${String(code)})`;
    return `${path}: ${(error as Error).message}`;
  }
  try {
    accessSync(path, constants.W_OK | constants.X_OK);
    return null;
  } catch {
    return `${path} is not writable`;
  }
}

function dedupe(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => !seen.has(`${p.subject}\n${p.detail}`) && seen.add(`${p.subject}\n${p.detail}`));
}
