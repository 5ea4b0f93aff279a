import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { MigrationVerifyError } from '../../core/errors.ts';
import { CATEGORY_VIEWS } from '../../core/sinks/categoryViews.ts';
import { migrateToLineParts, type CopyPage } from '../../core/sinks/postgres/migrateToLineParts.ts';
import { PostgresChatWriter } from '../../core/sinks/postgres/postgresChatWriter.ts';
import { POSTGRES_MIGRATIONS, type PostgresMigration } from '../../core/sinks/postgres/postgresMigrations.ts';
import { PostgresSink } from '../../core/sinks/postgres/postgresSink.ts';
import { expectedViewCounts, makeChatEvents, rowToChatEvent } from '../helpers/chatEvents.ts';
import { writeFirstLayoutPostgres } from '../helpers/firstLayoutPostgres.ts';
import { startScratchPostgres, type ScratchPostgres } from '../helpers/postgres.ts';
import { realEventsOnce } from '../helpers/rawCorpus.ts';

let server: ScratchPostgres | undefined;
const started = startScratchPostgres().then((s) => (server = s));
after(async () => server?.close());

const realEvents = realEventsOnce();

/** Everything an older release may hold: real lines, the factory's events, and events whose tags, badges or raw are not a line's. */
function oldEvents(): ChatEvent[] {
  const made = makeChatEvents(12_000, { seed: 5, hostileShare: 0.05 });
  const odd: ChatEvent[] = made.slice(0, 3).map((e, i) => ({
    ...e,
    event_id: [`odd-${i}`, 'h:', `h:${'0'.repeat(31)}`][i]!,
    raw: ['not an irc line', `@x=y :u PRIVMSG #c :${e.text ?? ''}`, '@a=1;a=2 :u!u@u.tmi.twitch.tv PRIVMSG #c :\x1f %s 100%'][i]!,
    tags: { changed: String(i) },
    params: { p: 'q' },
    badges: [['a,b'], [''], ['[x', 'y']][i]!,
    user_id: '007',
    bits: [0, 2_000_000_000, 7][i]!,
  }));
  return [...realEvents, ...made.slice(3), ...odd];
}

/** A sink that runs the first two migrations and the given third. */
function sinkWith(url: string, third: PostgresMigration | undefined): PostgresSink {
  return new PostgresSink({ sink: 'postgres', connectionString: url }, [...POSTGRES_MIGRATIONS.slice(0, 2), ...(third ? [third] : [])]);
}

/** Migration 3 with a copy that does something else with each page. */
function brokenMigration(change: (events: readonly ChatEvent[]) => ChatEvent[]): PostgresMigration {
  const copyPage: CopyPage = async (client, events) => {
    const writer = new PostgresChatWriter();
    const rows = writer.rows(change(events));
    await writer.addTemplates(client, rows);
    await writer.insert(client, rows);
  };
  return { ...POSTGRES_MIGRATIONS[2]!, apply: (client) => migrateToLineParts(client, copyPage) };
}

async function inspect(url: string): Promise<{ relkind: string | undefined; count: number; versions: number[] }> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    const kind = await client.query<{ relkind: string }>("SELECT relkind FROM pg_class WHERE relname = 'chat_events'");
    const count = await client.query<{ n: string }>('SELECT count(*) AS n FROM chat_events');
    const versions = await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    return { relkind: kind.rows[0]?.relkind, count: Number(count.rows[0]?.n), versions: versions.rows.map((r) => r.version) };
  } finally {
    await client.end();
  }
}

describe('upgrading a Postgres database written by the release before the compact layout', () => {
  const events = oldEvents();
  const ready = started.then(async (s) => {
    await writeFirstLayoutPostgres(s.url, events);
    return s.url;
  });

  it('keeps the old table when the copy loses events, and says how many', async () => {
    // Prepare: a copy that loses the first event of each page.
    const url = await ready;
    const sink = sinkWith(
      url,
      brokenMigration((page) => page.slice(1)),
    );
    // Act
    const error = await sink.migrate().catch((e: unknown) => e);
    await sink.close();
    // Assess: the whole migration rolled back; chat_events is the old table with every event.
    assert.ok(error instanceof MigrationVerifyError, String(error));
    assert.match(
      error.message,
      new RegExp(
        `copied ${events.length} of ${events.length} chat events \\(\\d+ stored in chat_event_rows\\); nothing changed \\(rolled back\\)`,
      ),
    );
    assert.deepEqual(await inspect(url), { relkind: 'p', count: events.length, versions: [1, 2] });
  });

  it('keeps the old table when a copied event reads back different, and names the column', async () => {
    // Prepare: a copy that changes one event's text.
    const url = await ready;
    const victim = events[500]!;
    const sink = sinkWith(
      url,
      brokenMigration((page) => page.map((e) => (e.event_id === victim.event_id ? { ...e, text: `${e.text ?? ''}!` } : e))),
    );
    // Act
    const error = await sink.migrate().catch((e: unknown) => e);
    await sink.close();
    // Assess
    assert.ok(error instanceof MigrationVerifyError, String(error));
    assert.equal(error.message, `chat event ${victim.event_id} reads back with a different text; nothing changed (rolled back)`);
    assert.deepEqual(await inspect(url), { relkind: 'p', count: events.length, versions: [1, 2] });
  });

  it('then upgrades on the next start: every field reads back as it was, raw byte for byte, the old table is gone, and nothing is stored twice', async () => {
    // Prepare
    const url = await ready;
    const sink = sinkWith(url, POSTGRES_MIGRATIONS[2]);
    try {
      // Act
      await sink.migrate();
      const rows = await sink.query('SELECT * FROM chat_events');
      const views: Record<string, number> = {};
      for (const { name } of CATEGORY_VIEWS) views[name] = Number((await sink.query(`SELECT count(*) AS n FROM ${name}`))[0]?.n);
      const again = await sink.write(events.slice(0, 5000));
      const tables = await sink.query(
        "SELECT relname, relkind FROM pg_class WHERE relname IN ('chat_events', 'chat_events_v1', 'chat_event_rows') ORDER BY relname",
      );
      // Assess
      const byId = new Map(rows.map((r) => [String(r.event_id), rowToChatEvent(r)]));
      assert.equal(rows.length, events.length, 'each event once');
      for (const event of events) {
        const row = byId.get(event.event_id);
        assert.equal(row?.raw, event.raw, event.raw);
        assert.deepStrictEqual(row, event, event.raw);
      }
      assert.deepEqual(views, expectedViewCounts(events));
      assert.deepEqual(again, { inserted: 0, duplicates: 5000 });
      assert.deepEqual(
        tables.map((t) => [t.relname, t.relkind]),
        [
          ['chat_event_rows', 'p'],
          ['chat_events', 'v'],
        ],
      );
      assert.deepEqual(await inspect(url), { relkind: 'v', count: events.length, versions: [1, 2, 3] });
    } finally {
      await sink.close();
    }
  });
});
