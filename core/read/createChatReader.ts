import { createSink } from '../sinks/createSink.ts';
import type { SinkConfig } from '../sinks/types.ts';
import { postgresReader } from './postgresReader.ts';
import { CLICKHOUSE_READER, SqlChatReader } from './sqlChatReader.ts';
import { SqliteChatReader } from './sqliteChatReader.ts';
import type { ChatReader } from './types.ts';

/**
 * The ChatReader for the configured sink: SQLite reads its stored parts directly; Postgres and
 * ClickHouse read through the sink's own connection (Postgres its stored parts, postgresReader.ts;
 * ClickHouse the chat_events view), with TLS and secrets as the sink has them. SELECT is all a
 * reader needs: readOnly, so a reader never changes the schema.
 */
export function createChatReader(config: SinkConfig): ChatReader {
  switch (config.sink) {
    case 'sqlite':
      return new SqliteChatReader(config.path);
    case 'postgres':
      return new SqlChatReader(createSink({ ...config, readOnly: true }), postgresReader());
    case 'clickhouse':
      return new SqlChatReader(createSink({ ...config, readOnly: true }), CLICKHOUSE_READER);
  }
}
