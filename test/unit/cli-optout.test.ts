import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runLocalCli } from '../helpers/runCli.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'poglytics-cli-optout-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

const optout = (...args: string[]) => runLocalCli(dataDir, 'optout', ...args);

describe('poglytics optout', () => {
  it('opts a user and a channel out in DATA_DIR/optouts.json (which npm start reads), lists them, and opts back in', () => {
    assert.equal(optout('user', '--id', '123456789', '--login', 'leaving_user').status, 0);
    const channel = optout('channel', '--login', 'quiet_channel');
    assert.equal(channel.status, 0, channel.stderr);
    const list = optout('list');
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /^users: 123456789 \(leaving_user\)$/m);
    assert.match(list.stdout, /^channels: login:quiet_channel$/m);
    const stored = JSON.parse(readFileSync(join(dataDir, 'optouts.json'), 'utf8')) as { users: Record<string, { by: string }> };
    assert.equal(stored.users['123456789']?.by, 'admin');
    assert.equal(optout('user', '--id', '123456789', '--back').status, 0);
    assert.match(optout('list').stdout, /^users: -$/m);
  });

  it('prints the audit of completed deletions, one line each', () => {
    const record = {
      at: Date.UTC(2026, 11, 5, 12),
      subject: 'user',
      key: '42',
      login: 'gone',
      by: 'chat',
      optedOutAt: Date.UTC(2026, 11, 5, 11),
    };
    writeFileSync(
      join(dataDir, 'optout-audit.jsonl'),
      `${JSON.stringify({ ...record, sink: 'sqlite', deletedEvents: 17, deletedDeadLetters: 2 })}\n`,
    );
    const audit = optout('audit');
    assert.equal(audit.status, 0, audit.stderr);
    assert.equal(
      audit.stdout,
      '2026-12-05T12:00:00.000Z user 42 (gone) by chat, opted out 2026-12-05T11:00:00.000Z: 17 events, 2 dead letters deleted (sqlite)\n',
    );
  });

  it('names a bad kind or id in one line with exit code 2, and changes nothing', () => {
    const before = readFileSync(join(dataDir, 'optouts.json'), 'utf8');
    const bad = optout('everyone');
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr, /"everyone" is not user, channel, list or audit/);
    const id = optout('user', '--id', 'abc');
    assert.equal(id.status, 2);
    assert.match(id.stderr, /--id must be digits/);
    assert.equal(readFileSync(join(dataDir, 'optouts.json'), 'utf8'), before);
  });
});
