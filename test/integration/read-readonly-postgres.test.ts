import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createChatReader } from '../../core/read/createChatReader.ts';
import { POSTGRES_MIGRATIONS } from '../../core/sinks/postgres/postgresMigrations.ts';
import { PostgresSink } from '../../core/sinks/postgres/postgresSink.ts';
import { startScratchPostgres, type ScratchPostgres } from '../helpers/postgres.ts';

/** The read service's database user may only SELECT: it never migrates, and says what to do when the schema is behind. */
describe('the Postgres reader as a read-only user', () => {
  let server: ScratchPostgres;
  let url: string;
  let readerUrl: string;
  before(async () => {
    server = await startScratchPostgres();
    const admin = new pg.Client(server.url);
    await admin.connect();
    await admin.query('CREATE DATABASE behind');
    await admin.end();
    url = Object.assign(new URL(server.url), { pathname: '/behind' }).toString();
    const owner = new pg.Client(url);
    await owner.connect();
    await owner.query('CREATE ROLE behind_reader LOGIN');
    await owner.query('GRANT USAGE ON SCHEMA public TO behind_reader');
    await owner.query('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO behind_reader');
    await owner.end();
    readerUrl = Object.assign(new URL(url), { username: 'behind_reader' }).toString();
  });
  after(() => server.close());

  it('refuses a database at an older schema with the version and the command that fixes it, changing nothing; reads once it is migrated', async () => {
    // Prepare: the database at the first schema version only
    const old = new PostgresSink({ sink: 'postgres', connectionString: url }, POSTGRES_MIGRATIONS.slice(0, 1));
    await old.migrate();
    await old.close();
    const reader = createChatReader({ sink: 'postgres', connectionString: readerUrl });
    try {
      // Act + Assess
      await assert.rejects(reader.listChannels(), (error: Error) =>
        new RegExp(
          `schema is at version 1, this release reads version ${POSTGRES_MIGRATIONS.at(-1)!.version}: run \`poglytics migrate\``,
        ).test(error.message),
      );
      const full = new PostgresSink({ sink: 'postgres', connectionString: url });
      await full.migrate();
      await full.close();
      assert.deepEqual(await reader.listChannels(), []);
    } finally {
      await reader.close();
    }
  });
});
