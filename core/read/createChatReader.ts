import { ConfigError } from '../errors.ts';
import type { SinkConfig } from '../sinks/types.ts';
import { SqliteChatReader } from './sqliteChatReader.ts';
import type { ChatReader } from './types.ts';

/** The ChatReader for the configured sink. Postgres and ClickHouse each add one case here. */
export function createChatReader(config: SinkConfig): ChatReader {
  switch (config.sink) {
    case 'sqlite':
      return new SqliteChatReader(config.path);
    case 'postgres':
    case 'clickhouse':
      throw new ConfigError(`SINK=${config.sink}: the read service reads only SQLite so far (issue 17)`, { setting: 'SINK' });
  }
}
