import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runLocalCli } from '../helpers/runCli.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'poglytics-cli-channels-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

const channels = (...args: string[]) => runLocalCli(dataDir, 'channels', ...args);

describe('poglytics channels', () => {
  it('adds, excludes and lists channels in DATA_DIR/channel-overrides.json, which npm start reads', () => {
    assert.equal(channels('add', 'Forsen', '#xqc').status, 0);
    assert.equal(channels('exclude', 'spammer_1').status, 0);
    const list = channels('list');
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /^added: forsen \(.+\), xqc \(.+\)$/m);
    assert.match(list.stdout, /^excluded: spammer_1 \(.+\)$/m);
    const stored = JSON.parse(readFileSync(join(dataDir, 'channel-overrides.json'), 'utf8')) as Record<string, object>;
    assert.deepEqual(Object.keys(stored.added!), ['forsen', 'xqc']);
  });

  it('names a bad action or login in one line with exit code 2, and changes nothing', () => {
    const before = readFileSync(join(dataDir, 'channel-overrides.json'), 'utf8');
    const bad = channels('delete', 'forsen');
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr, /unknown action "delete"/);
    const login = channels('add', 'not.a.login');
    assert.equal(login.status, 2);
    assert.match(login.stderr, /"not\.a\.login" is not a channel login/);
    assert.equal(readFileSync(join(dataDir, 'channel-overrides.json'), 'utf8'), before);
  });
});
