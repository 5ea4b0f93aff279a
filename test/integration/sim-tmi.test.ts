import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import tmi from 'tmi.js';
import { startSimulator, type Simulator } from '../../services/twitch-sim/startSimulator.ts';
import type { GroundTruthRecord } from '../../services/twitch-sim/types.ts';

const EVENT_COMMANDS = new Set(['PRIVMSG', 'USERNOTICE', 'CLEARCHAT', 'CLEARMSG', 'ROOMSTATE', 'NOTICE']);
const CHANNELS = 200;
// A flatter mix than the default so that every kind shows up within a few seconds.
const MIX = {
  message: 40,
  action: 3,
  reply: 3,
  firstMessage: 2,
  cheer: 3,
  sharedChatMessage: 3,
  sub: 2,
  resub: 2,
  giftWave: 1,
  subGift: 1,
  giftPaidUpgrade: 1,
  raid: 1,
  announcement: 1,
  ritual: 1,
  viewerMilestone: 1,
  bitsBadgeTier: 1,
  sharedChatNotice: 2,
  ban: 1,
  timeout: 2,
  clearChat: 1,
  delete: 2,
  roomState: 1,
  notice: 1,
};

async function waitFor(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The kind of an event line as the ground truth names it, with the subtype that matters for coverage. */
function coverageKey(command: string, tags: Record<string, unknown>, params: string[]): string {
  switch (command) {
    case 'PRIVMSG':
      if (typeof tags.bits === 'string') return 'cheer';
      if (typeof tags['source-room-id'] === 'string') return 'shared-chat-message';
      return params[1]?.startsWith('\x01ACTION ') ? 'action' : 'message';
    case 'USERNOTICE':
      return `usernotice:${String(tags['msg-id'])}`;
    case 'CLEARCHAT':
      return params.length < 2 ? 'clearchat' : typeof tags['ban-duration'] === 'string' ? 'timeout' : 'ban';
    default:
      return command;
  }
}

describe('tmi.js 1.8.5 against the simulator', () => {
  let sim: Simulator;
  let client: tmi.Client;
  const received = new Map<string, string[]>();
  const kinds = new Set<string>();

  before(async () => {
    sim = await startSimulator({
      seed: 42,
      channels: CHANNELS,
      messagesPerSecond: 3000,
      joinLimit: null,
      mix: MIX,
      sharedChatFraction: 0.5,
    });
    client = new tmi.Client({
      connection: { server: '127.0.0.1', port: sim.port, secure: false, reconnect: false },
      options: { skipUpdatingEmotesets: true, joinInterval: 300 },
      logger: { info: () => {}, warn: () => {}, error: () => {} },
    });
    client.on('raw_message', (_copy, parsed) => {
      const message = parsed as { raw: string; command: string; params: string[]; tags: Record<string, unknown> };
      if (!EVENT_COMMANDS.has(message.command)) return;
      const channel = (message.params[0] ?? '').replace(/^#/, '');
      const list = received.get(channel) ?? [];
      list.push(message.raw);
      received.set(channel, list);
      kinds.add(coverageKey(message.command, message.tags, message.params));
    });
  });

  after(async () => {
    await client?.disconnect().catch(() => {});
    await sim?.close();
  });

  it('connects anonymously, joins 200 channels, receives every kind, and matches the ground truth line for line', async () => {
    await client.connect();
    const logins = sim.channels.map((c) => c.login);
    // tmi.js joins one at a time from its queue (300 ms apart); joining directly is what a pool does, and the JOIN limit is off.
    await Promise.allSettled(logins.map((login) => client.join(login)));
    const [connection] = sim.connections();
    assert.ok(connection, 'the simulator sees the tmi.js connection');
    await waitFor(
      '200 JOIN confirmations',
      () => sim.groundTruth.joins().filter((j) => j.connectionId === connection.id).length === CHANNELS,
      20_000,
    );

    const expectedKinds = [
      'message',
      'action',
      'cheer',
      'shared-chat-message',
      'usernotice:sub',
      'usernotice:resub',
      'usernotice:submysterygift',
      'usernotice:subgift',
      'usernotice:giftpaidupgrade',
      'usernotice:raid',
      'usernotice:announcement',
      'usernotice:ritual',
      'usernotice:viewermilestone',
      'usernotice:bitsbadgetier',
      'usernotice:sharedchatnotice',
      'ban',
      'timeout',
      'clearchat',
      'CLEARMSG',
      'ROOMSTATE',
      'NOTICE',
    ];
    await waitFor(
      `every kind (missing: ${expectedKinds.filter((k) => !kinds.has(k)).join(', ')})`,
      () => expectedKinds.every((k) => kinds.has(k)),
      30_000,
    );
    sim.stopTraffic();
    const sent = (): number => sim.groundTruth.counts().byConnection[connection.id] ?? 0;
    const got = (): number => [...received.values()].reduce((n, l) => n + l.length, 0);
    await waitFor('tmi.js to receive everything sent', () => got() >= sent(), 20_000);

    assert.equal(got(), sent());
    let compared = 0;
    for (const login of logins) {
      const joinedAt = sim.groundTruth.joinedAt(login, connection.id);
      assert.ok(joinedAt !== undefined, `${login} was joined`);
      const truth: GroundTruthRecord[] = sim.groundTruth
        .forChannel(login)
        .filter((r) => r.connectionIds.includes(connection.id) && r.sentAt >= joinedAt);
      assert.deepEqual(
        received.get(login) ?? [],
        truth.map((r) => r.raw),
        `lines of #${login}`,
      );
      compared += truth.length;
    }
    assert.equal(compared, sent());
    const ids = sim.groundTruth.forConnection(connection.id).flatMap((r) => (r.eventId ? [r.eventId] : []));
    assert.equal(new Set(ids).size, ids.length, 'event ids are unique');
  });
});
