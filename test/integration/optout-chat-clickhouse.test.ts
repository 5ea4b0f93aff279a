import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSink } from '../../core/sinks/createSink.ts';
import { describeOptOutFlow } from '../helpers/optOutFlow.ts';
import { perRequestChdb } from '../helpers/perRequestChdb.ts';

// chdb allows one on-disk session per process; this file owns it.
const dir = mkdtempSync(join(tmpdir(), 'poglytics-optout-chdb-'));
describeOptOutFlow(
  'ClickHouse (chdb)',
  async () => createSink({ sink: 'clickhouse', url: 'http://chdb.local:8123', connection: perRequestChdb(dir).connection }),
  {
    param: (n) => `{p${n}:String}`,
    objectsSql: "SELECT name FROM system.tables WHERE database = currentDatabase() AND name <> 'schema_migrations'",
  },
  async () => rmSync(dir, { recursive: true, force: true }),
);
