import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { FileChannelOverrideStore, channelOverridesPath } from '../../core/control/documentStores.ts';
import { createChatReader } from '../../core/read/createChatReader.ts';
import { createApiServer } from '../../services/api/createApiServer.ts';
import { startPipelineHarness, waitFor, type PipelineHarness } from '../helpers/localPipelineRun.ts';

const KEY = 'admin-key-0123456789abcdef';

describe('channel admin at run time: the admin API changes what the running pipeline joins (simulator, dynalite, ingesters)', () => {
  let harness: PipelineHarness;
  let url: string;
  let close: () => Promise<void>;

  before(async () => {
    harness = await startPipelineHarness({ channels: 12, rate: 20, seed: 18 });
    const server = createApiServer({
      reader: createChatReader({ sink: 'sqlite', path: harness.dbPath }),
      adminKey: KEY,
      channelOverrides: new FileChannelOverrideStore(channelOverridesPath(harness.dataDir)),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
    await waitFor(() => harness.sim.stats().joinedChannels === 12, 'every live channel joined', 90_000);
  });
  after(async () => {
    await close?.();
    await harness?.cleanup();
  });

  const admin = (action: string, channels: unknown, key = KEY) =>
    fetch(`${url}/admin/channels`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ action, channels }),
    });
  const listed = async () =>
    ((await (await fetch(`${url}/channels`)).json()) as { channels: { name: string }[] }).channels.map((c) => c.name);

  it('excludes a live channel (parted at the next refresh, gone from /channels), adds an offline one (joined within one refresh), removes it (parted)', async () => {
    const target = harness.sim.channels.at(-1)!.login;
    // Exclude: the channel is live, so only the exclusion can part it.
    assert.equal((await admin('exclude', [target])).status, 200);
    await harness.pipeline.refreshNow();
    await waitFor(() => !harness.sim.isJoined(target), `${target} parted after its exclusion`);
    assert.ok(!(await listed()).includes(target), '/channels hides an excluded channel');

    // Offline and included again: nothing captures it (not live, not added).
    harness.sim.streams.setLive(target, false);
    assert.equal((await admin('include', [target])).status, 200);
    await harness.pipeline.refreshNow();

    // Add: captured although Helix does not list it, after one refresh.
    const added = (await (await admin('add', [`#${target.toUpperCase()}`])).json()) as { added: Record<string, number> };
    assert.ok(target in added.added, JSON.stringify(added));
    assert.ok((await listed()).includes(target), '/channels lists an added channel');
    const report = await harness.pipeline.refreshNow();
    assert.equal(report.assigned, 12);
    await waitFor(() => harness.sim.isJoined(target), `${target} joined within one refresh of its add`);

    // Remove: parted at the next refresh (not after OFFLINE_GRACE_MINUTES), the others untouched.
    assert.equal((await admin('remove', [target])).status, 200);
    await harness.pipeline.refreshNow();
    await waitFor(() => !harness.sim.isJoined(target), `${target} parted after its removal`);
    assert.equal(harness.sim.stats().joinedChannels, 11);
  });

  it('refuses requests without the key or with a wrong one (401), and bad actions or logins (400); changes nothing then', async () => {
    const before = await (await fetch(`${url}/admin/channels`, { headers: { Authorization: `Bearer ${KEY}` } })).text();
    assert.equal((await fetch(`${url}/admin/channels`)).status, 401);
    assert.equal((await admin('add', ['somebody'], 'wrong-key-0123456789abcdef')).status, 401);
    assert.equal((await admin('add', ['somebody'], '')).status, 401);
    assert.equal((await admin('delete', ['somebody'])).status, 400);
    assert.equal((await admin('add', ['not a login'])).status, 400);
    assert.equal((await admin('add', [])).status, 400);
    const after = await (await fetch(`${url}/admin/channels`, { headers: { Authorization: `Bearer ${KEY}` } })).text();
    assert.equal(after, before);
  });

  it('has no admin routes at all on a server without a key (404)', async () => {
    const server = createApiServer({ reader: createChatReader({ sink: 'sqlite', path: harness.dbPath }) });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const bare = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      assert.equal((await fetch(`${bare}/admin/channels`, { headers: { Authorization: `Bearer ${KEY}` } })).status, 404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
