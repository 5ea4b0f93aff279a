import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { JoinScheduler } from '../../services/ingester/joinScheduler.ts';
import { TokenBucket } from '../../services/ingester/tokenBucket.ts';

/** A scheduler on mocked timers and clock, with Twitch's budget (20 JOINs per 10 s) and what it sent. */
function scheduler(t: TestContext, options: { timeoutMs?: number; maxAttempts?: number } = {}) {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  const lines: { at: number; line: string }[] = [];
  const failed = new Map<string, string>();
  const joined: string[] = [];
  let open = true;
  const s = new JoinScheduler({
    bucket: new TokenBucket(20, 10_000, 0, () => Date.now()),
    send: (line) => {
      if (!open) return false;
      lines.push({ at: Date.now(), line });
      return true;
    },
    timeoutMs: options.timeoutMs ?? 5_000,
    maxAttempts: options.maxAttempts ?? 3,
    retryBaseMs: 1_000,
    onJoined: (login) => joined.push(login),
    onFailed: (login, reason) => failed.set(login, reason),
  });
  const joins = () =>
    lines.filter((l) => l.line.startsWith('JOIN ')).map((l) => ({ at: l.at - 1_000_000, channels: l.line.slice(5).split(',') }));
  return { s, lines, joins, failed, joined, setOpen: (v: boolean) => (open = v), tick: (ms: number) => t.mock.timers.tick(ms) };
}

const logins = (n: number, prefix = 'c') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('JoinScheduler (mocked clock)', () => {
  it('joins within the budget: 20 channels per 10 s window, in the order added, queued ones comma-joined', (t) => {
    const { s, joins, tick } = scheduler(t, { timeoutMs: 60_000 });
    for (const login of logins(45)) s.add(login);
    s.resume();
    const perWindow = () => {
      const counts = new Map<number, number>();
      for (const j of joins()) counts.set(j.at, (counts.get(j.at) ?? 0) + j.channels.length);
      return [...counts];
    };
    assert.deepEqual(perWindow(), [[0, 20]]);
    assert.equal(joins().length, 1, 'the queued channels go out as one comma-separated JOIN');
    tick(9_999);
    assert.deepEqual(perWindow(), [[0, 20]], 'no token comes back before the window has passed');
    tick(1);
    tick(10_000);
    assert.deepEqual(perWindow(), [
      [0, 20],
      [10_000, 20],
      [20_000, 5],
    ]);
    assert.deepEqual(
      joins().flatMap((j) => j.channels),
      logins(45).map((l) => `#${l}`),
    );
  });

  it('a ROOMSTATE confirms a join; a timeout retries with backoff, then fails with join_timeout', (t) => {
    const { s, joins, failed, joined, tick } = scheduler(t, { timeoutMs: 5_000, maxAttempts: 2 });
    s.resume();
    s.add('ok');
    s.add('silent');
    s.confirm('ok');
    assert.deepEqual(joined, ['ok']);
    assert.equal(s.state('silent'), 'pending');
    tick(5_000);
    assert.equal(s.state('silent'), 'retrying');
    tick(10_000);
    assert.equal(joins().filter((j) => j.channels.includes('#silent')).length, 2, 'joined once more after the backoff');
    tick(5_000);
    assert.equal(s.state('silent'), 'failed');
    assert.equal(failed.get('silent'), 'join_timeout');
    assert.equal(s.joined, 1);
    assert.equal(s.outstanding, 0);
  });

  it('a failure NOTICE fails the channel for good (never retried); a joined channel ignores one', (t) => {
    const { s, joins, tick } = scheduler(t);
    s.resume();
    s.add('banned');
    s.add('fine');
    s.confirm('fine');
    s.fail('banned', 'msg_banned');
    s.fail('fine', 'msg_banned');
    tick(120_000);
    assert.deepEqual(Object.fromEntries(s.failures()), { banned: 'msg_banned' });
    assert.equal(s.state('fine'), 'joined');
    assert.equal(joins().filter((j) => j.channels.includes('#banned')).length, 1);
  });

  it('sends nothing while paused, and everything queued once resumed', (t) => {
    const { s, joins, tick } = scheduler(t);
    for (const login of logins(5)) s.add(login);
    tick(30_000);
    assert.equal(joins().length, 0);
    s.resume();
    assert.deepEqual(joins().flatMap((j) => j.channels).length, 5);
  });

  it('PARTs a joined or pending channel it forgets, and not one still queued', (t) => {
    const { s, lines } = scheduler(t);
    s.resume();
    for (const login of logins(21)) s.add(login);
    s.confirm('c0');
    s.remove('c0');
    s.remove('c1');
    s.remove('c20');
    assert.deepEqual(
      lines.filter((l) => l.line.startsWith('PART')).map((l) => l.line),
      ['PART #c0', 'PART #c1'],
    );
    assert.equal(s.state('c20'), undefined);
  });
});
