export { createSink, createSinkFromEnv, loadSinkConfig, DEFAULT_SQLITE_PATH } from './createSink.ts';
export { CATEGORY_VIEWS, SUBSCRIPTION_SUBTYPES } from './categoryViews.ts';
export { ClickHouseSink } from './clickhouse/clickhouseSink.ts';
export { PostgresSink } from './postgres/postgresSink.ts';
export { SqliteSink } from './sqlite/sqliteSink.ts';
export { openSqliteDatabase } from './sqlite/openSqliteDatabase.ts';
export { registerSqliteFunctions } from './sqlite/sqliteFunctions.ts';
export { readChatEvents, type ChatEventRange } from './sqlite/readChatEvents.ts';
export type { Sink, SinkConfig, SinkName, WriteResult } from './types.ts';
