import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { createChdbConnection } from 'chdb/connection';
import { createSink } from '../../core/sinks/createSink.ts';
import { describeReportsOn } from '../helpers/reportFixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'poglytics-query-chdb-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describeReportsOn('poglytics query reports on ClickHouse (chdb)', async () => {
  const sink = createSink({
    sink: 'clickhouse',
    url: 'http://chdb.local:8123',
    connection: createChdbConnection({ path: join(dir, 'db') }),
  });
  await sink.migrate();
  return sink;
});
