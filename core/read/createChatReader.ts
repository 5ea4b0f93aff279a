import { createSink } from '../sinks/createSink.ts';
import type { SinkConfig } from '../sinks/types.ts';
import { postgresReader } from './postgresReader.ts';
import { CLICKHOUSE_READER, SqlChatReader } from './sqlChatReader.ts';
import { SqliteChatReader } from './sqliteChatReader.ts';
import type { ChatReader } from './types.ts';

/**
 * The ChatReader for the configured sink: SQLite reads its stored parts directly; Postgres and
 * ClickHouse read the chat_events view (Postgres its stored parts, postgresReader.ts) through the sink's own connection (TLS and secrets as
 * the sink has them; SELECT is all it needs).
 */
export function createChatReader(config: SinkConfig): ChatReader {
  switch (config.sink) {
    case 'sqlite':
      return new SqliteChatReader(config.path);
    case 'postgres':
      return new SqlChatReader(createSink(config), postgresReader());
    case 'clickhouse':
      return new SqlChatReader(createSink(config), CLICKHOUSE_READER);
  }
}
