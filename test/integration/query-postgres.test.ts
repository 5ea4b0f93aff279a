import { after } from 'node:test';
import { createSink } from '../../core/sinks/createSink.ts';
import { startScratchPostgres, type ScratchPostgres } from '../helpers/postgres.ts';
import { describeReportsOn } from '../helpers/reportFixture.ts';

let server: ScratchPostgres | undefined;
after(async () => {
  await server?.close();
});

describeReportsOn('poglytics query reports on Postgres', async () => {
  server = await startScratchPostgres();
  const sink = createSink({ sink: 'postgres', connectionString: server.url, maxConnections: 2 });
  await sink.migrate();
  return sink;
});
