import { ConfigError } from './errors.ts';
import { RECORD_COMPRESSIONS, type RecordCompression } from './events/recordCompression.ts';
import { redactCredentials } from './redactCredentials.ts';

/**
 * The one environment reader. Every runtime (ingester, Lambdas, CLI) reads its settings through
 * these helpers: values are trimmed, empty means unset, defaults apply, and a bad value throws a
 * ConfigError that names the variable and says what is wrong with it.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export function readString(env: Env, name: string, aliases: readonly string[] = []): string | undefined {
  for (const key of [name, ...aliases]) {
    const value = env[key]?.trim();
    if (value) return value;
  }
  return undefined;
}

export function requireString(env: Env, name: string, aliases: readonly string[] = []): string {
  const value = readString(env, name, aliases);
  if (value === undefined) throw new ConfigError(`${name} is required`, { setting: name });
  return value;
}

export function readInt(env: Env, name: string, fallback: number, bounds: { min?: number; max?: number } = {}): number {
  const raw = readString(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(`${name} must be an integer, got "${raw}"`, { setting: name });
  const value = Number(raw);
  if (bounds.min !== undefined && value < bounds.min) {
    throw new ConfigError(`${name} must be at least ${bounds.min}, got ${value}`, { setting: name });
  }
  if (bounds.max !== undefined && value > bounds.max) {
    throw new ConfigError(`${name} must be at most ${bounds.max}, got ${value}`, { setting: name });
  }
  return value;
}

export function readBool(env: Env, name: string, fallback: boolean): boolean {
  const raw = readString(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`, { setting: name });
}

export function readEnum<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = readString(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`, { setting: name });
  }
  return raw as T;
}

export function readUrl(env: Env, name: string, fallback?: string): string | undefined {
  const raw = readString(env, name) ?? fallback;
  if (raw === undefined) return undefined;
  // No `cause`: the URL parser's error carries the whole input, password included.
  if (!URL.canParse(raw)) throw new ConfigError(`${name} must be a URL, got "${redactCredentials(raw)}"`, { setting: name });
  return raw;
}

/** A comma-separated channel list: lowercased, `#` stripped, blanks and repeats removed. */
export function readChannelList(env: Env, name: string): string[] {
  const raw = readString(env, name);
  if (raw === undefined) return [];
  const channels = raw
    .split(',')
    .map((c) => c.trim().toLowerCase().replace(/^#/, ''))
    .filter((c) => c.length > 0);
  for (const channel of channels) {
    if (!/^[a-z0-9_]{1,25}$/.test(channel)) throw new ConfigError(`${name} has an invalid channel name "${channel}"`, { setting: name });
  }
  return [...new Set(channels)];
}

/** Settings that every runtime shares (ARCHITECTURE.md, "Configuration"). */
export interface CommonConfig {
  readonly twitchClientId: string | undefined;
  readonly twitchClientSecret: string | undefined;
  readonly channels: readonly string[];
  readonly excludedChannels: readonly string[];
  readonly maxChannels: number;
  readonly minViewers: number;
  readonly channelsPerConnection: number;
  readonly twitchIrcUrl: string;
  readonly twitchHelixUrl: string;
  readonly twitchAuthUrl: string;
  readonly awsEndpointUrl: string | undefined;
  readonly awsRegion: string;
  /** AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are both set (else an emulator endpoint gets dummy keys). */
  readonly awsStaticCredentials: boolean;
  readonly kinesisStreamName: string;
  readonly controlTableName: string;
  readonly metricsPort: number;
  /** METRICS_HOST: the address /metrics and /healthz listen on; loopback unless a container must be scraped from outside. */
  readonly metricsHost: string;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** How every writer (ingester, refresher) compresses Kinesis records: KINESIS_COMPRESSION, KINESIS_COMPRESSION_LEVEL. */
  readonly recordCompression: RecordCompression;
  /** CAPTURE_REPLICAS: ingesters on different tasks that join each assigned channel (copies deduplicated by event_id). */
  readonly captureReplicas: number;
}

/** LOG_LEVEL: the one place it is read. */
export function readLogLevel(env: Env): 'debug' | 'info' | 'warn' | 'error' {
  return readEnum(env, 'LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info');
}

/** AWS_REGION (alias AWS_DEFAULT_REGION), AWS_ENDPOINT_URL and whether static keys are set: the one place they are read. */
export function readAwsSettings(env: Env): { region: string; endpoint: string | undefined; staticCredentials: boolean } {
  return {
    region: readString(env, 'AWS_REGION', ['AWS_DEFAULT_REGION']) ?? 'us-east-1',
    endpoint: readUrl(env, 'AWS_ENDPOINT_URL'),
    staticCredentials: Boolean(readString(env, 'AWS_ACCESS_KEY_ID') && readString(env, 'AWS_SECRET_ACCESS_KEY')),
  };
}

export function loadCommonConfig(env: Env): CommonConfig {
  const aws = readAwsSettings(env);
  const twitchClientId = readString(env, 'TWITCH_CLIENT_ID', ['CLIENT_ID']);
  const twitchClientSecret = readString(env, 'TWITCH_CLIENT_SECRET', ['CLIENT_SECRET']);
  if ((twitchClientId === undefined) !== (twitchClientSecret === undefined)) {
    throw new ConfigError(
      twitchClientId === undefined
        ? 'TWITCH_CLIENT_ID is required when TWITCH_CLIENT_SECRET is set'
        : 'TWITCH_CLIENT_SECRET is required when TWITCH_CLIENT_ID is set',
      { setting: twitchClientId === undefined ? 'TWITCH_CLIENT_ID' : 'TWITCH_CLIENT_SECRET' },
    );
  }
  return {
    twitchClientId,
    twitchClientSecret,
    channels: readChannelList(env, 'CHANNELS'),
    excludedChannels: readChannelList(env, 'EXCLUDED_CHANNELS'),
    maxChannels: readInt(env, 'MAX_CHANNELS', 50_000, { min: 1 }),
    minViewers: readInt(env, 'MIN_VIEWERS', 1, { min: 0 }),
    channelsPerConnection: readInt(env, 'CHANNELS_PER_CONNECTION', 2000, { min: 1, max: 10_000 }),
    twitchIrcUrl: readUrl(env, 'TWITCH_IRC_URL', 'wss://irc-ws.chat.twitch.tv:443')!,
    twitchHelixUrl: readUrl(env, 'TWITCH_HELIX_URL', 'https://api.twitch.tv/helix')!,
    twitchAuthUrl: readUrl(env, 'TWITCH_AUTH_URL', 'https://id.twitch.tv/oauth2')!,
    awsEndpointUrl: aws.endpoint,
    awsRegion: aws.region,
    awsStaticCredentials: aws.staticCredentials,
    kinesisStreamName: readString(env, 'KINESIS_STREAM_NAME') ?? 'poglytics-events',
    controlTableName: readString(env, 'CONTROL_TABLE_NAME') ?? 'poglytics-control',
    metricsPort: readInt(env, 'METRICS_PORT', 9091, { min: 0, max: 65_535 }),
    metricsHost: readString(env, 'METRICS_HOST') ?? '127.0.0.1',
    logLevel: readLogLevel(env),
    recordCompression: readRecordCompression(env),
    captureReplicas: readInt(env, 'CAPTURE_REPLICAS', 1, { min: 1, max: 10 }),
  };
}

/**
 * brotli quality 1 unless told otherwise. Every reader takes both formats; gzip is for a
 * deployment whose consumers predate brotli records (set it, upgrade the consumers, then unset it).
 */
function readRecordCompression(env: Env): RecordCompression {
  if (readString(env, 'KINESIS_GZIP_LEVEL') !== undefined) {
    throw new ConfigError('KINESIS_GZIP_LEVEL is no longer read: set KINESIS_COMPRESSION=gzip and KINESIS_COMPRESSION_LEVEL instead', {
      setting: 'KINESIS_GZIP_LEVEL',
    });
  }
  const codec = readEnum(env, 'KINESIS_COMPRESSION', ['brotli', 'gzip'] as const, 'brotli');
  const { min, max, fallback } = RECORD_COMPRESSIONS[codec];
  return { codec, level: readInt(env, 'KINESIS_COMPRESSION_LEVEL', fallback, { min, max }) };
}
