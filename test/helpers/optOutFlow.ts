import { FileOptOutAuditLog, optOutAuditPath } from '../../core/optout/optOutAudit.ts';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { decompressRecord } from '../../core/events/recordCompression.ts';
import { FRAME_HEADER, SEGMENT_PATTERN } from '../../core/kinesis/journalFrames.ts';
import { after, before, describe, it } from 'node:test';
import { fileOptOutStore, optOutsPath } from '../../core/optout/optOutStores.ts';
import { SqliteChatReader } from '../../core/read/sqliteChatReader.ts';
import type { Sink } from '../../core/sinks/types.ts';
import { createApiServer } from '../../services/api/createApiServer.ts';
import { startPipelineHarness, waitFor, type PipelineHarness } from './localPipelineRun.ts';

/** How a sink spells what the flow asks of it. */
export interface OptOutDialect {
  /** The n-th (1-based) placeholder of a text parameter. */
  param(n: number): string;
  /** Every table and view of the database, by name. */
  readonly objectsSql: string;
}

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

/** A file's bytes as text to search: a journal segment's records decompressed (its frames: [u32 length][u32 events][record]). */
function searchable(path: string): string {
  const bytes = readFileSync(path);
  if (!SEGMENT_PATTERN.test(basename(path))) return bytes.toString('latin1');
  let text = '';
  for (let at = 0; at + FRAME_HEADER <= bytes.length;) {
    const length = bytes.readUInt32LE(at);
    const record = bytes.subarray(at + FRAME_HEADER, at + FRAME_HEADER + length);
    const plain = decompressRecord(record);
    text += typeof plain === 'string' ? record.toString('latin1') : plain.toString('utf8');
    at += FRAME_HEADER + length;
  }
  return text;
}

/** Every file under `dir` (dead letters, journals decompressed, checkpoints) that holds `needle`; databases and the list excluded. */
function filesHolding(dir: string, needle: string): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const child = join(path, name);
      if (statSync(child).isDirectory()) walk(child);
      else if (!/\.db(-wal|-shm)?$|optouts\.json$|optout-audit\.jsonl$/.test(child) && searchable(child).includes(needle))
        found.push(child);
    }
  };
  walk(dir);
  return found;
}

/**
 * Issue 18's acceptance on one sink: opting out through the chat code flow against the simulator
 * while events keep arriving (a user, then a channel by its broadcaster), then back in.
 */
export function describeOptOutFlow(name: string, openSink: () => Promise<Sink>, dialect: OptOutDialect, cleanup = async () => {}) {
  describe(`opting out through chat, while events keep arriving (${name})`, () => {
    let harness: PipelineHarness;
    let api: string;
    let closeApi: () => Promise<void>;
    const empty = mkdtempSync(join(tmpdir(), 'poglytics-optout-api-'));

    before(async () => {
      harness = await startPipelineHarness({ channels: 6, rate: 30, seed: 181, optOutSweepMs: 500, sink: await openSink() });
      // The read service hands out the codes; its reader is not used by these routes.
      const server = createApiServer({
        reader: new SqliteChatReader(join(empty, 'unused.db')),
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
      rmSync(empty, { recursive: true, force: true });
      await cleanup();
    });

    const count = async (where: string, params: string[]) =>
      Number((await harness.sink.query(`SELECT count(*) AS n FROM chat_events WHERE ${where}`, params))[0]?.n);
    const ofUser = (id: string) => count(`user_id = ${dialect.param(1)} OR target_user_id = ${dialect.param(2)}`, [id, id]);
    const inChannel = (login: string) => count(`channel = ${dialect.param(1)}`, [login]);
    const code = async (action: 'optout' | 'optin') =>
      (await (await fetch(`${api}/optout?action=${action}`, { method: 'POST' })).json()) as { code: string; command: string };
    const status = async (c: string) => (await (await fetch(`${api}/optout/${c}`)).json()) as { status: string; outcome: string | null };
    const list = () =>
      JSON.parse(readFileSync(optOutsPath(harness.dataDir), 'utf8')) as Record<
        'users' | 'channels',
        Record<string, { settledAt?: number }>
      >;
    /** Every table and view, searched for each needle. */
    const holders = async (...needles: string[]) => {
      const names = (await harness.sink.query(dialect.objectsSql)).map((r) => String(r.name));
      const found: string[] = [];
      for (const table of names) {
        const rows = await harness.sink.query(`SELECT * FROM ${table}`);
        const text = JSON.stringify(rows, (_k, v: unknown) =>
          typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? v.toString('latin1') : v,
        );
        if (needles.some((n) => text.includes(n))) found.push(table);
      }
      return found;
    };

    it('a user: the code opts them out; nothing of them stays in any table, view or dead letter; nothing is stored afterwards; others untouched; opting back in stores them again, the old stays gone', async () => {
      const channels = harness.sim.channels.map((c) => ({ login: c.login, id: c.id }));
      for (const channel of channels) {
        harness.sim.sendLine(channel.login, privmsg(channel, USER, 'hello, remember me'));
        harness.sim.sendLine(channel.login, privmsg(channel, OTHER, 'hi all'));
      }
      harness.sim.sendLine(channels[0]!.login, timeout(channels[0]!, USER), 'timeout');
      await waitFor(async () => (await ofUser(USER.id)) === channels.length + 1, "the user's events stored");
      await waitFor(async () => (await ofUser(OTHER.id)) === channels.length, "the other user's events stored");

      const issued = await code('optout');
      assert.match(issued.command, /^!optout [a-z0-9]{10}$/);
      assert.equal((await status(issued.code)).status, 'pending');
      harness.sim.sendLine(channels[2]!.login, privmsg(channels[2]!, USER, issued.command));
      await waitFor(async () => (await status(issued.code)).status === 'used', 'the code redeemed by the consumer');
      assert.equal((await status(issued.code)).outcome, 'opted-out-user');

      // Events keep arriving, from them and about them.
      for (const channel of channels) harness.sim.sendLine(channel.login, privmsg(channel, USER, 'still here'));
      harness.sim.sendLine(channels[1]!.login, timeout(channels[1]!, USER), 'timeout');
      for (const channel of channels) harness.sim.sendLine(channel.login, privmsg(channel, OTHER, 'still chatting'));
      await waitFor(async () => (await ofUser(OTHER.id)) === 2 * channels.length, "the other user's new events stored");
      await waitFor(async () => (await ofUser(USER.id)) === 0, "the user's events deleted");
      await waitFor(() => list().users[USER.id]?.settledAt !== undefined, "the opt-out settled (swept after the consumers' cache window)");

      // After the sweeps stopped, their new events are still not stored: the consumer drops them.
      for (const channel of channels) harness.sim.sendLine(channel.login, privmsg(channel, USER, 'and again'));
      for (const channel of channels) harness.sim.sendLine(channel.login, privmsg(channel, OTHER, 'after the sweep'));
      await waitFor(async () => (await ofUser(OTHER.id)) === 3 * channels.length, "the other user's latest events stored");
      assert.equal(await ofUser(USER.id), 0, 'nothing stored for them after the opt-out settled');
      assert.deepEqual(await holders(USER.id, USER.login), [], 'tables and views holding the user');
      assert.deepEqual(filesHolding(harness.dataDir, USER.login), [], 'files holding the user (dead letters, journals)');
      // The audit names them (as the list must) and counts what went, never what they wrote.
      const audit = await new FileOptOutAuditLog(optOutAuditPath(harness.dataDir)).list();
      const mine = audit.filter((r) => r.key === USER.id);
      assert.equal(mine.length, 1, 'one audit record for the opt-out');
      assert.ok(mine[0]!.subject === 'user' && mine[0]!.by === 'chat' && mine[0]!.sink === harness.sink.name, JSON.stringify(mine[0]));
      assert.ok(mine[0]!.deletedEvents >= channels.length + 1, `${mine[0]!.deletedEvents} deleted, ${channels.length + 1} stored before`);
      assert.doesNotMatch(readFileSync(optOutAuditPath(harness.dataDir), 'utf8'), /remember me|still here/);

      // Back in: new events are stored again, the old ones stay gone.
      const back = await code('optin');
      harness.sim.sendLine(channels[3]!.login, privmsg(channels[3]!, USER, back.command));
      await waitFor(async () => (await status(back.code)).outcome === 'opted-in-user', 'the opt-in redeemed');
      await new Promise((r) => setTimeout(r, 5500)); // the consumers' list cache
      harness.sim.sendLine(channels[4]!.login, privmsg(channels[4]!, USER, 'back again'));
      await waitFor(async () => (await ofUser(USER.id)) === 1, 'their new event stored');
      assert.equal(await ofUser(OTHER.id), 3 * channels.length, 'the other user untouched throughout');
    });

    it("a channel: its broadcaster's code opts it out; it is parted, its history deleted, nothing stored afterwards; other channels untouched; opting back in captures it again", async () => {
      const channels = harness.sim.channels.map((c) => ({ login: c.login, id: c.id }));
      const target = channels[5]!;
      const broadcaster = { id: target.id, login: target.login };
      await waitFor(async () => (await inChannel(target.login)) > 0, 'traffic stored in the channel');
      const others = await count(`channel <> ${dialect.param(1)}`, [target.login]);

      const issued = await code('optout');
      harness.sim.sendLine(target.login, privmsg(target, broadcaster, issued.command));
      await waitFor(async () => (await status(issued.code)).outcome === 'opted-out-channel', 'the channel opted out');
      await harness.pipeline.refreshNow();
      await waitFor(() => !harness.sim.isJoined(target.login), 'the channel parted');
      await waitFor(async () => (await inChannel(target.login)) === 0, "the channel's events deleted");
      await waitFor(() => list().channels[target.id]?.settledAt !== undefined, 'the channel opt-out settled');
      assert.ok((await count(`channel <> ${dialect.param(1)}`, [target.login])) >= others, 'other channels untouched');
      assert.equal(await inChannel(target.login), 0, 'nothing of the channel stored afterwards');
      assert.deepEqual(await holders(`#${target.login}`, `"${target.login}"`), [], 'tables and views holding the channel');

      // Back in: its chat is not captured any more, so the broadcaster posts the opt-in code elsewhere.
      const back = await code('optin');
      harness.sim.sendLine(channels[0]!.login, privmsg(channels[0]!, broadcaster, back.command));
      await waitFor(async () => (await status(back.code)).outcome === 'opted-in-channel', 'the channel opted back in');
      await new Promise((r) => setTimeout(r, 5500)); // the consumers' list cache
      await harness.pipeline.refreshNow();
      await waitFor(() => harness.sim.isJoined(target.login), 'the channel joined again');
      await waitFor(async () => (await inChannel(target.login)) > 0, "the channel's new chat stored again");
    });
  });
}
