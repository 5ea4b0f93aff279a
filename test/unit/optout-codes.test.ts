import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { normalizeLine } from '../../core/irc/normalizeLine.ts';
import { listSelector, optOutMatcher } from '../../core/optout/optOutMatcher.ts';
import { CODE_VALID_MS, NO_OPT_OUTS, issueCode, redeemCode, type OptOuts } from '../../core/optout/optOuts.ts';

const T0 = 1_700_000_000_000;

function said(text: string, who = { id: '11', login: 'viewer' }, room = { id: '99', login: 'streamer' }): ChatEvent {
  const result = normalizeLine(
    `@id=0e0e0e0e-0000-4000-8000-000000000001;room-id=${room.id};tmi-sent-ts=${T0};user-id=${who.id} :${who.login}!${who.login}@${who.login}.tmi.twitch.tv PRIVMSG #${room.login} :${text}`,
    T0,
  );
  assert.equal(result.type, 'event');
  return (result as { event: ChatEvent }).event;
}

describe('opt-out codes', () => {
  it('a code opts its sender out once; a reuse, an expired code, the wrong command and an unknown code do nothing and say why', () => {
    const { optOuts, code } = issueCode(NO_OPT_OUTS, 'optout', T0);
    assert.match(code, /^[a-z2-9]{10}$/);
    const first = redeemCode(optOuts, said(`!optout ${code}`), T0 + 1000)!;
    assert.equal(first.outcome, 'opted-out-user');
    assert.deepEqual(Object.keys(first.optOuts.users), ['11']);

    const reused = redeemCode(first.optOuts, said(`!optout ${code}`, { id: '12', login: 'other' }), T0 + 2000)!;
    assert.equal(reused.outcome, 'used-code');
    assert.deepEqual(Object.keys(reused.optOuts.users), ['11'], 'a reused code opts nobody else out');
    assert.equal(reused.optOuts.codes[code]!.refused!.outcome, 'used-code');

    const late = issueCode(NO_OPT_OUTS, 'optout', T0);
    const expired = redeemCode(late.optOuts, said(`!optout ${late.code}`), T0 + CODE_VALID_MS + 1)!;
    assert.equal(expired.outcome, 'expired-code');
    assert.deepEqual(expired.optOuts.users, {});

    const wrong = redeemCode(late.optOuts, said(`!optin ${late.code}`), T0 + 1)!;
    assert.equal(wrong.outcome, 'wrong-command');
    assert.deepEqual(wrong.optOuts.users, {});

    const unknown = redeemCode(late.optOuts, said('!optout abcdefghjk'), T0 + 1)!;
    assert.equal(unknown.outcome, 'unknown-code');
    assert.equal(unknown.optOuts, late.optOuts, 'an unknown code changes nothing at all');
    assert.equal(redeemCode(late.optOuts, said('just chatting'), T0), null);
  });

  it("a broadcaster's code in their own channel opts the channel out; an opt-in code brings them back", () => {
    const out = issueCode(NO_OPT_OUTS, 'optout', T0);
    const broadcaster = { id: '99', login: 'streamer' };
    const channel = redeemCode(out.optOuts, said(`!OPTOUT ${out.code.toUpperCase()}`, broadcaster), T0)!;
    assert.equal(channel.outcome, 'opted-out-channel');
    assert.deepEqual(Object.keys(channel.optOuts.channels), ['99']);
    assert.deepEqual(channel.optOuts.users, {});
    // Its chat is no longer captured: the broadcaster opts it back in from any other channel.
    const back = issueCode(channel.optOuts, 'optin', T0);
    const optedIn = redeemCode(back.optOuts, said(`!optin ${back.code}`, broadcaster, { id: '5', login: 'friend' }), T0 + 5)!;
    assert.equal(optedIn.outcome, 'opted-in-channel');
    assert.deepEqual(optedIn.optOuts.channels, {});
    // An opt-out elsewhere is the broadcaster's own account, not the channel.
    const elsewhere = issueCode(NO_OPT_OUTS, 'optout', T0);
    const user = redeemCode(elsewhere.optOuts, said(`!optout ${elsewhere.code}`, broadcaster, { id: '5', login: 'friend' }), T0)!;
    assert.equal(user.outcome, 'opted-out-user');
  });

  it('matches events by, about and in opted-out users and channels, by id and by a login-only entry', () => {
    const o: OptOuts = {
      users: { '11': { login: 'viewer', at: T0, by: 'chat' }, 'login:named': { login: 'named', at: T0, by: 'admin' } },
      channels: { '77': { login: 'gone', at: T0, by: 'admin' } },
      codes: {},
    };
    const matcher = optOutMatcher(listSelector(o));
    assert.ok(matcher.event(said('hi')), 'sent by');
    assert.ok(matcher.event({ ...said('hi', { id: '5', login: 'x' }), target_user_id: '11' }), 'about');
    assert.ok(matcher.event(said('hi', { id: '5', login: 'named' })), 'a login-only entry');
    assert.ok(matcher.event(said('hi', { id: '5', login: 'x' }, { id: '77', login: 'renamed' })), 'in, by room id');
    assert.ok(matcher.event(said('hi', { id: '5', login: 'x' }, { id: '78', login: 'gone' })), 'in, by login');
    assert.ok(!matcher.event(said('hi', { id: '5', login: 'x' })), 'a bystander');
  });
});
