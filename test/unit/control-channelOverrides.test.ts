import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { NO_OVERRIDES, applyChannelAction, channelLogin, type ChannelOverrides } from '../../core/control/channelOverrides.ts';
import { FileChannelOverrideStore } from '../../core/control/documentStores.ts';

const dir = mkdtempSync(join(tmpdir(), 'poglytics-overrides-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const keys = (o: ChannelOverrides) => ({ added: Object.keys(o.added), excluded: Object.keys(o.excluded), removed: Object.keys(o.removed) });

describe('channel overrides', () => {
  it('applies add, remove, exclude and include as documented', () => {
    let o = applyChannelAction(NO_OVERRIDES, 'add', 'a', 1);
    o = applyChannelAction(o, 'exclude', 'b', 2);
    assert.deepEqual(keys(o), { added: ['a'], excluded: ['b'], removed: [] });
    o = applyChannelAction(o, 'add', 'b', 3);
    assert.deepEqual(keys(o), { added: ['a', 'b'], excluded: [], removed: [] }, 'an add lifts an exclusion');
    o = applyChannelAction(o, 'remove', 'a', 4);
    assert.deepEqual(keys(o), { added: ['b'], excluded: [], removed: ['a'] });
    o = applyChannelAction(o, 'exclude', 'b', 5);
    assert.deepEqual(keys(o), { added: [], excluded: ['b'], removed: ['a'] }, 'an exclusion wins over an add');
    o = applyChannelAction(o, 'include', 'b', 6);
    o = applyChannelAction(o, 'add', 'a', 7);
    assert.deepEqual(keys(o), { added: ['a'], excluded: [], removed: [] }, 'an add clears an earlier removal');
  });

  it('takes logins as Twitch spells them, and refuses anything else', () => {
    assert.equal(channelLogin(' #Forsen '), 'forsen');
    for (const bad of ['', 'a b', 'a.b', 'x'.repeat(26), '__proto__!']) assert.throws(() => channelLogin(bad), /is not a channel login/);
  });

  it('keeps every change of concurrent writers to the file, and calls a damaged file an error, never an empty list', async () => {
    const path = join(dir, 'overrides.json');
    const stores = [new FileChannelOverrideStore(path), new FileChannelOverrideStore(path)];
    await Promise.all(Array.from({ length: 40 }, (_, i) => stores[i % 2]!.update((o) => applyChannelAction(o, 'add', `chan${i}`, i))));
    assert.equal(Object.keys((await stores[0]!.load()).added).length, 40);
    writeFileSync(path, '{"added": {"a": 1}, "excluded": [');
    await assert.rejects(stores[1]!.load(), SyntaxError);
    writeFileSync(path, '{"added": {"a b": 1}}');
    await assert.rejects(stores[1]!.load(), /bad entry "a b" in added/);
  });
});
