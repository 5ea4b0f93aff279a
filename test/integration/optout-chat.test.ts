import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { fileOptOutStore, optOutsPath } from '../../core/optout/optOutStores.ts';
import { CATEGORY_VIEWS } from '../../core/sinks/categoryViews.ts';
import { createChatReader } from '../../core/read/createChatReader.ts';
import { createApiServer } from '../../services/api/createApiServer.ts';
import { startPipelineHarness, waitFor, type PipelineHarness } from '../helpers/localPipelineRun.ts';

// Ten-digit ids: a shorter one could turn up inside a millisecond timestamp when every table is searched.
const USER = { id: '4242424201', login: 'please_forget_me' };
const OTHER = { id: '4242424202', login: 'keep_me' };

function privmsg(channel: { login: string; id: string }, who: { id: string; login: string }, text: string): string {
  return (
    `@badge-info=;badges=;color=#FF0000;display-name=${who.login};emotes=;id=${randomUUID()};mod=0;room-id=${channel.id};` +
    `subscriber=0;tmi-sent-ts=${Date.now()};turbo=0;user-id=${who.id};user-type= :${who.login}!${who.login}@${who.login}.tmi.twitch.tv PRIVMSG #${channel.login} :${text}`
  );
}

function timeout(channel: { login: string; id: string }, who: { id: string; login: string }): string {
  return `@ban-duration=60;room-id=${channel.id};target-user-id=${who.id};tmi-sent-ts=${Date.now()} :tmi.twitch.tv CLEARCHAT #${channel.login} :${who.login}`;
}

/** Every file under `dir` (journals, dead letters, checkpoints) whose bytes hold `needle`. */
function filesHolding(dir: string, needle: string): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const child = join(path, name);
      if (statSync(child).isDirectory()) walk(child);
      else if (!child.endsWith('.db') && !child.endsWith('.db-wal') && readFileSync(child).includes(needle)) found.push(child);
    }
  };
  walk(dir);
  return found;
}

describe('opting out through chat: the code flow against the simulator while events keep arriving (SQLite)', () => {
  let harness: PipelineHarness;
  let api: string;
  let closeApi: () => Promise<void>;

  before(async () => {
    harness = await startPipelineHarness({ channels: 6, rate: 30, seed: 181, optOutSweepMs: 500 });
    const server = createApiServer({
      reader: createChatReader({ sink: 'sqlite', path: harness.dbPath }),
      optOuts: fileOptOutStore(optOutsPath(harness.dataDir)),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    closeApi = () => new Promise((resolve) => server.close(() => resolve()));
    await waitFor(() => harness.sim.stats().joinedChannels === 6, 'every channel joined', 90_000);
    harness.sim.startTraffic();
  });
  after(async () => {
    await closeApi?.();
    await harness?.cleanup();
  });

  const stored = async (sql: string, params: unknown[] = []) => Number((await harness.sink.query(sql, params))[0]?.n);
  const ofUser = (id: string) => stored('SELECT count(*) AS n FROM chat_events WHERE user_id = ? OR target_user_id = ?', [id, id]);

  it('a posted code opts the sender out: nothing of them stays in any table, view, dead letter or journal; new events are not stored; others untouched', async () => {
    const channels = harness.sim.channels.map((c) => ({ login: c.login, id: c.id }));
    // Before: the user chats in every channel and is timed out once; another user chats too.
    for (const channel of channels) {
      harness.sim.sendLine(channel.login, privmsg(channel, USER, 'hello, remember me'));
      harness.sim.sendLine(channel.login, privmsg(channel, OTHER, 'hi all'));
    }
    harness.sim.sendLine(channels[0]!.login, timeout(channels[0]!, USER), 'timeout');
    await waitFor(async () => (await ofUser(USER.id)) === channels.length + 1, "the user's events stored");
    await waitFor(async () => (await ofUser(OTHER.id)) === channels.length, "the other user's events stored");

    // The code: asked for on the read API, posted in chat by the user.
    const issued = (await (await fetch(`${api}/optout`, { method: 'POST' })).json()) as { code: string; command: string };
    assert.match(issued.command, /^!optout [a-z0-9]{10}$/);
    assert.equal(((await (await fetch(`${api}/optout/${issued.code}`)).json()) as { status: string }).status, 'pending');
    harness.sim.sendLine(channels[2]!.login, privmsg(channels[2]!, USER, issued.command));
    await waitFor(
      async () => ((await (await fetch(`${api}/optout/${issued.code}`)).json()) as { status: string }).status === 'used',
      'the code redeemed by the consumer',
    );
    const answer = (await (await fetch(`${api}/optout/${issued.code}`)).json()) as { outcome: string };
    assert.equal(answer.outcome, 'opted-out-user');

    // Events keep arriving, from them and about them.
    for (const channel of channels) harness.sim.sendLine(channel.login, privmsg(channel, USER, 'still here'));
    harness.sim.sendLine(channels[1]!.login, timeout(channels[1]!, USER), 'timeout');
    for (const channel of channels) harness.sim.sendLine(channel.login, privmsg(channel, OTHER, 'still chatting'));
    await waitFor(async () => (await ofUser(OTHER.id)) === 2 * channels.length, "the other user's new events stored");

    // The deletion sweep (every 500 ms here; OPTOUT_DELETE_MINUTES bounds it in production).
    await waitFor(async () => (await ofUser(USER.id)) === 0, "the user's events deleted");
    await waitFor(
      async () =>
        Object.values(JSON.parse(readFileSync(optOutsPath(harness.dataDir), 'utf8')).users as Record<string, { settledAt?: number }>)[0]
          ?.settledAt !== undefined,
      "the opt-out settled (swept after the consumers' cache window)",
    );

    // After the sweeps stopped (settled), new events of theirs are still not stored: the consumer drops them.
    for (const channel of channels) harness.sim.sendLine(channel.login, privmsg(channel, USER, 'and again'));
    for (const channel of channels) harness.sim.sendLine(channel.login, privmsg(channel, OTHER, 'after the sweep'));
    await waitFor(async () => (await ofUser(OTHER.id)) === 3 * channels.length, "the other user's latest events stored");
    assert.equal(await ofUser(USER.id), 0, 'nothing stored for them after the opt-out settled');

    // Search every table and view of the database for the id and the login.
    const db = new Database(harness.dbPath, { readonly: true });
    try {
      const objects = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .pluck()
        .all() as string[];
      for (const name of objects) {
        const rows = db.prepare(`SELECT * FROM "${name}"`).all();
        const text = JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
        assert.ok(!text.includes(USER.id) && !text.includes(USER.login), `${name} still holds the user`);
      }
    } finally {
      db.close();
    }
    // Every view (they need the sink's SQL functions, so through the sink).
    for (const view of ['chat_events', ...CATEGORY_VIEWS.map((v) => v.name)])
      assert.equal(
        await stored(`SELECT count(*) AS n FROM ${view} WHERE user_id = ? OR target_user_id = ? OR instr(raw, ?) > 0`, [
          USER.id,
          USER.id,
          USER.login,
        ]),
        0,
        view,
      );
    assert.deepEqual(
      filesHolding(harness.dataDir, USER.login).filter((f) => !f.endsWith('optouts.json')),
      [],
    );
    // The list keeps the id (to keep dropping), the audit keeps how many were deleted, never the content.
    assert.ok(!readFileSync(optOutsPath(harness.dataDir), 'utf8').includes('remember me'));
    assert.equal(await ofUser(OTHER.id), 3 * channels.length, 'the other user untouched');
  });
});
