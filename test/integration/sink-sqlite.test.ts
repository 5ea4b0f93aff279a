import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSink } from '../../core/sinks/createSink.ts';
import { describeSinkContract } from '../helpers/sinkContract.ts';

const dir = mkdtempSync(join(tmpdir(), 'poglytics-sqlite-'));

describeSinkContract(
  'SQLite',
  async () => createSink({ sink: 'sqlite', path: join(dir, 'nested', 'poglytics.db') }),
  {
    byIds: (table, ids) => ({
      sql: `SELECT * FROM ${table} WHERE event_id IN (SELECT value FROM json_each(?))`,
      params: [JSON.stringify(ids)],
    }),
    migrationVersions: [1, 2, 3, 4],
  },
  async () => rmSync(dir, { recursive: true, force: true }),
);
