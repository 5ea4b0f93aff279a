import { createSink } from '../../core/sinks/createSink.ts';
import { describeOptOutFlow } from '../helpers/optOutFlow.ts';
import { startScratchPostgres, type ScratchPostgres } from '../helpers/postgres.ts';

let server: ScratchPostgres | undefined;
describeOptOutFlow(
  'PostgreSQL',
  async () => createSink({ sink: 'postgres', connectionString: (server = await startScratchPostgres()).url }),
  {
    param: (n) => `$${n}`,
    objectsSql:
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations'",
  },
  async () => server?.close(),
);
