import { readAwsSettings, readEnum, readInt, readString, readUrl, type Env } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { ClickHouseSink } from './clickhouse/clickhouseSink.ts';
import { PostgresSink } from './postgres/postgresSink.ts';
import { RDS_CA_BUNDLE } from './postgres/postgresConnection.ts';
import { ClickHouseSecretSchema, DatabaseSecretSchema, readSecretJson } from './readSecretJson.ts';
import { SqliteSink } from './sqlite/sqliteSink.ts';
import { SINK_NAMES, type Sink, type SinkConfig, type SinkName } from './types.ts';

export const DEFAULT_SQLITE_PATH = './data/poglytics.db';

export function createSink(config: SinkConfig): Sink {
  switch (config.sink) {
    case 'sqlite':
      return new SqliteSink(config);
    case 'postgres':
      return new PostgresSink(config);
    case 'clickhouse':
      return new ClickHouseSink(config);
  }
}

/**
 * Sink settings from the environment (ARCHITECTURE.md "Configuration"). SINK wins; otherwise
 * the variable that is set implies it (CLICKHOUSE_URL / CLICKHOUSE_SECRET_ARN → clickhouse,
 * DATABASE_URL / DATABASE_SECRET_ARN → postgres), else sqlite at SQLITE_PATH. On AWS the
 * credentials come from Secrets Manager (DATABASE_SECRET_ARN, CLICKHOUSE_SECRET_ARN).
 */
export async function loadSinkConfig(env: Env): Promise<SinkConfig> {
  const implied: SinkName =
    readString(env, 'CLICKHOUSE_URL') || readString(env, 'CLICKHOUSE_SECRET_ARN')
      ? 'clickhouse'
      : readString(env, 'DATABASE_URL') || readString(env, 'DATABASE_SECRET_ARN')
        ? 'postgres'
        : 'sqlite';
  const sink = readEnum(env, 'SINK', SINK_NAMES, implied);
  const aws = readAwsSettings(env);

  if (sink === 'sqlite') return { sink, path: readString(env, 'SQLITE_PATH') ?? DEFAULT_SQLITE_PATH };

  if (sink === 'postgres') {
    const maxConnections = readInt(env, 'DATABASE_POOL_SIZE', 4, { min: 1, max: 100 });
    const caFile = readString(env, 'DATABASE_CA_FILE', ['PGSSLROOTCERT']);
    const tls = caFile === undefined ? {} : { caFile };
    const url = readUrl(env, 'DATABASE_URL');
    if (url) return { sink, connectionString: url, maxConnections, ...tls };
    const arn = readString(env, 'DATABASE_SECRET_ARN');
    if (!arn)
      throw new ConfigError('DATABASE_URL is required when SINK=postgres (or DATABASE_SECRET_ARN on AWS)', { setting: 'DATABASE_URL' });
    const secret = await readSecretJson(arn, DatabaseSecretSchema, aws);
    const u = new URL('postgres://placeholder');
    u.hostname = secret.host;
    u.port = String(secret.port);
    u.username = encodeURIComponent(secret.username);
    u.password = encodeURIComponent(secret.password);
    u.pathname = `/${encodeURIComponent(secret.dbname)}`;
    // RDS requires TLS and its certificates chain to the RDS CAs, which Node does not trust by
    // default: verify against the RDS bundle shipped in the code unless DATABASE_CA_FILE names another.
    const ssl = readString(env, 'DATABASE_SSLMODE') ?? 'verify-full';
    u.searchParams.set('sslmode', ssl);
    return { sink, connectionString: u.toString(), maxConnections, caFile: caFile ?? RDS_CA_BUNDLE };
  }

  const fromSecret = readString(env, 'CLICKHOUSE_SECRET_ARN');
  const secret =
    readString(env, 'CLICKHOUSE_URL') === undefined && fromSecret
      ? await readSecretJson(fromSecret, ClickHouseSecretSchema, aws)
      : undefined;
  const url = secret?.url ?? readUrl(env, 'CLICKHOUSE_URL');
  if (!url)
    throw new ConfigError('CLICKHOUSE_URL is required when SINK=clickhouse (or CLICKHOUSE_SECRET_ARN on AWS)', {
      setting: 'CLICKHOUSE_URL',
    });
  const username = secret?.username ?? readString(env, 'CLICKHOUSE_USER');
  const password = secret?.password ?? readString(env, 'CLICKHOUSE_PASSWORD');
  const database = secret?.database ?? readString(env, 'CLICKHOUSE_DATABASE');
  return {
    sink,
    url,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(database !== undefined ? { database } : {}),
  };
}

export async function createSinkFromEnv(env: Env): Promise<Sink> {
  return createSink(await loadSinkConfig(env));
}
