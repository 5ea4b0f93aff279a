import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatEventSchema, type ChatEvent } from '../../core/events/chatEvent.ts';
import { normalizeLine } from '../../core/irc/normalizeLine.ts';
import { absentChatFields } from '../helpers/absentChatFields.ts';

// Real-world variants that are not in the fixture corpus, in the shape Twitch's IRC docs
// ("Twitch IRC tags" reference) and live chat show them. Expectations are written by hand
// from the contract; every field except tags/raw is compared, tags spot-checked.

const RECEIVED_AT = 1_700_000_000_000;

type Fields = Omit<ChatEvent, 'tags' | 'raw'>;
const DEFAULTS: Omit<Fields, 'event_id' | 'kind' | 'channel'> = {
  ...absentChatFields(),
  sent_at: RECEIVED_AT,
  received_at: RECEIVED_AT,
};

function normalize(line: string, receivedAt = RECEIVED_AT): ChatEvent {
  const result = normalizeLine(line, receivedAt);
  assert.equal(result.type, 'event', JSON.stringify(result));
  if (result.type !== 'event') throw new Error('unreachable');
  ChatEventSchema.parse(result.event);
  assert.equal(result.event.raw, line);
  return result.event;
}

function assertFields(event: ChatEvent, want: Partial<Fields> & Pick<Fields, 'event_id' | 'kind' | 'channel'>): void {
  const { tags: _tags, raw: _raw, ...fields } = event;
  assert.deepStrictEqual(fields, { ...DEFAULTS, ...want });
}

describe('IRC variants from Twitch docs and live chat', () => {
  it('normalizes a charitydonation with its amount params', () => {
    const line =
      '@badge-info=;badges=staff/1,partner/1;color=#9146FF;display-name=TwitchDev;emotes=;flags=;id=6e2d3d8a-3a5b-4d1f-9d67-5d3c1f1e2a11;login=twitchdev;mod=0;msg-id=charitydonation;msg-param-charity-name=Example\\sCharity;msg-param-donation-amount=500;msg-param-donation-currency=USD;msg-param-exponent=2;room-id=141981764;subscriber=0;system-msg=TwitchDev:\\sDonated\\sUSD\\s5\\sto\\ssupport\\sExample\\sCharity;tmi-sent-ts=1666895622453;user-id=141981764;user-type= :tmi.twitch.tv USERNOTICE #twitchdev';
    assertFields(normalize(line), {
      event_id: '6e2d3d8a-3a5b-4d1f-9d67-5d3c1f1e2a11',
      kind: 'usernotice',
      subtype: 'charitydonation',
      channel: 'twitchdev',
      channel_id: '141981764',
      user_login: 'twitchdev',
      user_id: '141981764',
      display_name: 'TwitchDev',
      system_text: 'TwitchDev: Donated USD 5 to support Example Charity',
      badges: ['staff/1', 'partner/1'],
      color: '#9146FF',
      sent_at: 1666895622453,
      params: { 'charity-name': 'Example Charity', 'donation-amount': '500', 'donation-currency': 'USD', exponent: '2' },
    });
  });

  it('normalizes a communitypayforward and a standardpayforward (recipient becomes the target)', () => {
    const community =
      '@badge-info=subscriber/1;badges=subscriber/0;color=#1E90FF;display-name=Bingleback;emotes=;flags=;id=8a5c4e3f-09b1-4c2e-9a5f-1b0e8a7c6d41;login=bingleback;mod=0;msg-id=communitypayforward;msg-param-prior-gifter-anonymous=false;msg-param-prior-gifter-display-name=Hypn0zz;msg-param-prior-gifter-id=65917040;msg-param-prior-gifter-user-name=hypn0zz;room-id=71092938;subscriber=1;system-msg=Bingleback\\sis\\spaying\\sforward\\sthe\\sGift\\sthey\\sgot\\sfrom\\sHypn0zz\\sto\\sthe\\scommunity!;tmi-sent-ts=1631557543520;user-id=55125737;user-type= :tmi.twitch.tv USERNOTICE #xqcow';
    assertFields(normalize(community), {
      event_id: '8a5c4e3f-09b1-4c2e-9a5f-1b0e8a7c6d41',
      kind: 'usernotice',
      subtype: 'communitypayforward',
      channel: 'xqcow',
      channel_id: '71092938',
      user_login: 'bingleback',
      user_id: '55125737',
      display_name: 'Bingleback',
      system_text: 'Bingleback is paying forward the Gift they got from Hypn0zz to the community!',
      badges: ['subscriber/0'],
      color: '#1E90FF',
      sent_at: 1631557543520,
      params: {
        'prior-gifter-anonymous': 'false',
        'prior-gifter-display-name': 'Hypn0zz',
        'prior-gifter-id': '65917040',
        'prior-gifter-user-name': 'hypn0zz',
      },
    });
    const standard =
      '@badge-info=;badges=;color=;display-name=Cyclops_wave;emotes=;flags=;id=f2a7c1d4-5b6e-4f80-9a1b-2c3d4e5f6a7b;login=cyclops_wave;mod=0;msg-id=standardpayforward;msg-param-prior-gifter-anonymous=true;msg-param-recipient-display-name=YoungKingBen;msg-param-recipient-id=127306856;msg-param-recipient-user-name=youngkingben;room-id=71092938;subscriber=0;system-msg=Cyclops_wave\\sis\\spaying\\sforward\\sthe\\sGift\\sthey\\sgot\\sfrom\\san\\sanonymous\\sgifter\\sto\\sYoungKingBen!;tmi-sent-ts=1631557712091;user-id=101030151;user-type= :tmi.twitch.tv USERNOTICE #xqcow';
    assertFields(normalize(standard), {
      event_id: 'f2a7c1d4-5b6e-4f80-9a1b-2c3d4e5f6a7b',
      kind: 'usernotice',
      subtype: 'standardpayforward',
      channel: 'xqcow',
      channel_id: '71092938',
      user_login: 'cyclops_wave',
      user_id: '101030151',
      display_name: 'Cyclops_wave',
      target_user_login: 'youngkingben',
      target_user_id: '127306856',
      system_text: 'Cyclops_wave is paying forward the Gift they got from an anonymous gifter to YoungKingBen!',
      sent_at: 1631557712091,
      params: {
        'prior-gifter-anonymous': 'true',
        'recipient-display-name': 'YoungKingBen',
        'recipient-id': '127306856',
        'recipient-user-name': 'youngkingben',
      },
    });
  });

  it('unwraps a Shared Chat subgift: subtype from source-msg-id, recipient as target, source ids kept', () => {
    const line =
      '@badge-info=;badges=sub-gifter/5;color=#8A2BE2;display-name=GiftGuy;emotes=;flags=;id=0b7e5d1c-2a3f-4e6b-8c9d-0e1f2a3b4c5d;login=giftguy;mod=0;msg-id=sharedchatnotice;msg-param-months=1;msg-param-origin-id=3141592653589793238;msg-param-recipient-display-name=Lucky;msg-param-recipient-id=424242;msg-param-recipient-user-name=lucky;msg-param-sub-plan=1000;room-id=11148817;source-badge-info=;source-badges=sub-gifter/5;source-id=9c8b7a6f-5e4d-4c3b-2a19-0f8e7d6c5b4a;source-msg-id=subgift;source-room-id=22484632;subscriber=0;system-msg=GiftGuy\\sgifted\\sa\\sTier\\s1\\ssub\\sto\\sLucky!;tmi-sent-ts=1729627300000;user-id=99999;user-type=;vip=0 :tmi.twitch.tv USERNOTICE #pajlada';
    const event = normalize(line);
    assertFields(event, {
      event_id: '0b7e5d1c-2a3f-4e6b-8c9d-0e1f2a3b4c5d',
      kind: 'usernotice',
      subtype: 'subgift',
      channel: 'pajlada',
      channel_id: '11148817',
      user_login: 'giftguy',
      user_id: '99999',
      display_name: 'GiftGuy',
      target_user_login: 'lucky',
      target_user_id: '424242',
      system_text: 'GiftGuy gifted a Tier 1 sub to Lucky!',
      badges: ['sub-gifter/5'],
      color: '#8A2BE2',
      sent_at: 1729627300000,
      source_channel_id: '22484632',
      source_event_id: '9c8b7a6f-5e4d-4c3b-2a19-0f8e7d6c5b4a',
      params: {
        months: '1',
        'origin-id': '3141592653589793238',
        'recipient-display-name': 'Lucky',
        'recipient-id': '424242',
        'recipient-user-name': 'lucky',
        'sub-plan': '1000',
      },
    });
    assert.equal(event.tags['msg-id'], 'sharedchatnotice');
  });

  it('keeps sharedchatnotice as the subtype when source-msg-id is missing', () => {
    const event = normalize(
      '@msg-id=sharedchatnotice;source-room-id=1;tmi-sent-ts=1729627300001;room-id=2 :tmi.twitch.tv USERNOTICE #pajlada',
    );
    assert.equal(event.subtype, 'sharedchatnotice');
    assert.equal(event.source_channel_id, '1');
  });

  it('turns a USERNOTICE with an unknown msg-id into an event with its params, case kept', () => {
    const line =
      '@badges=;color=;display-name=Future;id=11111111-2222-3333-4444-555555555555;login=future;msg-id=brandnewthing;msg-param-fooBar=1;msg-param-baz-qux=a\\sb;room-id=5;system-msg=Something\\snew;tmi-sent-ts=1800000000000;user-id=6 :tmi.twitch.tv USERNOTICE #somechannel :hello there';
    assertFields(normalize(line), {
      event_id: '11111111-2222-3333-4444-555555555555',
      kind: 'usernotice',
      subtype: 'brandnewthing',
      channel: 'somechannel',
      channel_id: '5',
      user_login: 'future',
      user_id: '6',
      display_name: 'Future',
      text: 'hello there',
      system_text: 'Something new',
      sent_at: 1800000000000,
      params: { fooBar: '1', 'baz-qux': 'a b' },
    });
  });

  it('normalizes an announcement with its colour param and text', () => {
    const line =
      '@badge-info=;badges=broadcaster/1,subscriber/0;color=#9ACD32;display-name=Broadcaster;emotes=;flags=;id=a1b2c3d4-0000-4000-8000-000000000001;login=broadcaster;mod=0;msg-id=announcement;msg-param-color=BLUE;room-id=123456;subscriber=1;system-msg=;tmi-sent-ts=1700000001000;user-id=123456;user-type= :tmi.twitch.tv USERNOTICE #broadcaster :Stream starts in 5 minutes!';
    assertFields(normalize(line), {
      event_id: 'a1b2c3d4-0000-4000-8000-000000000001',
      kind: 'usernotice',
      subtype: 'announcement',
      channel: 'broadcaster',
      channel_id: '123456',
      user_login: 'broadcaster',
      user_id: '123456',
      display_name: 'Broadcaster',
      text: 'Stream starts in 5 minutes!',
      badges: ['broadcaster/1', 'subscriber/0'],
      color: '#9ACD32',
      sent_at: 1700000001000,
      params: { color: 'BLUE' },
    });
  });

  it('captures a first message that is a reply (reply-parent-msg-id is the target message)', () => {
    const line =
      '@badge-info=;badges=;client-nonce=5e1c4f2a9b7d3e8f0a6c2b4d1e3f5a7c;color=;display-name=NewViewer;emotes=;first-msg=1;flags=;id=c0ffee00-1234-4abc-9def-0123456789ab;mod=0;reply-parent-display-name=Streamer;reply-parent-msg-body=welcome\\severyone!;reply-parent-msg-id=deadbeef-0000-4000-8000-00000000beef;reply-parent-user-id=777;reply-parent-user-login=streamer;reply-thread-parent-msg-id=deadbeef-0000-4000-8000-00000000beef;reply-thread-parent-user-login=streamer;returning-chatter=0;room-id=777;subscriber=0;tmi-sent-ts=1700000002000;turbo=0;user-id=888;user-type= :newviewer!newviewer@newviewer.tmi.twitch.tv PRIVMSG #streamer :@Streamer hi, first time here';
    const event = normalize(line);
    assertFields(event, {
      event_id: 'c0ffee00-1234-4abc-9def-0123456789ab',
      kind: 'message',
      channel: 'streamer',
      channel_id: '777',
      user_login: 'newviewer',
      user_id: '888',
      display_name: 'NewViewer',
      target_message_id: 'deadbeef-0000-4000-8000-00000000beef',
      text: '@Streamer hi, first time here',
      sent_at: 1700000002000,
    });
    assert.equal(event.tags['first-msg'], '1');
    assert.equal(event.tags['reply-parent-msg-body'], 'welcome everyone!');
  });

  it('captures a /me cheer with emotes: bits, is_action and the unwrapped text', () => {
    const line =
      '@badge-info=subscriber/14;badges=subscriber/12,bits/1000;bits=250;color=#FF4500;display-name=Cheerer;emotes=25:28-32;flags=;id=b17c0ffe-aaaa-4bbb-8ccc-dddddddddddd;mod=0;room-id=4242;subscriber=1;tmi-sent-ts=1700000003000;turbo=0;user-id=5151;user-type= :cheerer!cheerer@cheerer.tmi.twitch.tv PRIVMSG #bigstreamer :\u0001ACTION Cheer100 Cheer150 hype Kappa\u0001';
    assertFields(normalize(line), {
      event_id: 'b17c0ffe-aaaa-4bbb-8ccc-dddddddddddd',
      kind: 'message',
      channel: 'bigstreamer',
      channel_id: '4242',
      user_login: 'cheerer',
      user_id: '5151',
      display_name: 'Cheerer',
      text: 'Cheer100 Cheer150 hype Kappa',
      is_action: true,
      bits: 250,
      badges: ['subscriber/12', 'bits/1000'],
      color: '#FF4500',
      sent_at: 1700000003000,
    });
  });

  it('unwraps a /me whose closing \\x01 was lost, and keeps a CLEARMSG of a /me verbatim', () => {
    const action = normalize(':a!a@a.tmi.twitch.tv PRIVMSG #c :\u0001ACTION dances');
    assert.equal(action.text, 'dances');
    assert.equal(action.is_action, true);
    const notAction = normalize(':a!a@a.tmi.twitch.tv PRIVMSG #c :\u0001ACTIONS are words\u0001');
    assert.equal(notAction.text, '\u0001ACTIONS are words\u0001');
    assert.equal(notAction.is_action, false);
    const deleted = normalize('@login=a;target-msg-id=x :tmi.twitch.tv CLEARMSG #c :\u0001ACTION dances\u0001');
    assert.equal(deleted.text, '\u0001ACTION dances\u0001');
    assert.equal(deleted.is_action, false);
  });

  it('captures a Shared Chat mirror of a message from another channel', () => {
    const line =
      '@badge-info=;badges=;color=#00FF00;display-name=Mirror;emotes=;flags=;id=12345678-90ab-4cde-8f01-234567890abc;mod=0;room-id=100;source-badge-info=;source-badges=moderator/1;source-id=fedcba98-7654-4321-8fed-cba987654321;source-only=0;source-room-id=200;subscriber=0;tmi-sent-ts=1700000004000;turbo=0;user-id=300;user-type= :mirror!mirror@mirror.tmi.twitch.tv PRIVMSG #hostchannel :hello from the other side';
    const event = normalize(line);
    assert.equal(event.source_channel_id, '200');
    assert.equal(event.source_event_id, 'fedcba98-7654-4321-8fed-cba987654321');
    assert.equal(event.channel, 'hostchannel');
    assert.equal(event.channel_id, '100');
  });

  it('applies the tag rules: last duplicate wins, every escape, trailing backslash dropped, empty → null', () => {
    const event = normalize(
      '@color=#FF0000;display-name=a\\sb\\:c\\\\d\\re\\nf\\xg\\;color=#00FF00;flag;user-id=;id=abc :u!u@u PRIVMSG #Chan :text',
    );
    assert.equal(event.color, '#00FF00');
    assert.equal(event.display_name, 'a b;c\\d\re\nfxg');
    assert.equal(event.tags['flag'], '');
    assert.equal(event.user_id, null);
    assert.equal(event.tags['user-id'], '');
    assert.equal(event.channel, 'chan');
    assert.deepStrictEqual(Object.keys(event.tags).sort(), ['color', 'display-name', 'flag', 'id', 'user-id']);
  });

  it('takes the last parameter as trailing with or without a colon', () => {
    assert.equal(normalize(':u!u@u PRIVMSG #c hello').text, 'hello');
    assert.equal(normalize(':u!u@u PRIVMSG #c :hello world').text, 'hello world');
    assert.equal(normalize(':u!u@u PRIVMSG #c').text, null);
    assert.equal(normalize(':u!u@u PRIVMSG #c :').text, null);
    assert.equal(
      normalize('@ban-duration=600;room-id=1;target-user-id=2 :tmi.twitch.tv CLEARCHAT #c baduser').target_user_login,
      'baduser',
    );
  });

  it('maps CLEARCHAT to ban, timeout and clearchat with users only as targets', () => {
    const timeout = normalize(
      '@ban-duration=600;room-id=1;target-user-id=2;tmi-sent-ts=1700000005000 :tmi.twitch.tv CLEARCHAT #c :baduser',
    );
    assert.equal(timeout.kind, 'timeout');
    assert.equal(timeout.ban_duration_s, 600);
    assert.equal(timeout.target_user_id, '2');
    assert.equal(timeout.user_login, null);
    assert.equal(timeout.subtype, null);
    const ban = normalize('@room-id=1;target-user-id=2;user-id=9;display-name=X :tmi.twitch.tv CLEARCHAT #c :baduser');
    assert.equal(ban.kind, 'ban');
    assert.equal(ban.ban_duration_s, null);
    assert.equal(ban.user_id, null);
    assert.equal(ban.display_name, null);
    const clear = normalize('@room-id=1 :tmi.twitch.tv CLEARCHAT #c');
    assert.equal(clear.kind, 'clearchat');
    assert.equal(clear.target_user_login, null);
  });

  it('ignores protocol commands, including ones with tags', () => {
    for (const line of [
      '@badge-info=;badges=;color=;display-name=me;emote-sets=0;mod=0;subscriber=0;user-type= :tmi.twitch.tv USERSTATE #c',
      ':tmi.twitch.tv RECONNECT',
      'PING :tmi.twitch.tv',
      ':tmi.twitch.tv 421 me WHO :Unknown command',
      ':tmi.twitch.tv CAP * NAK :twitch.tv/foo',
    ]) {
      const result = normalizeLine(line, RECEIVED_AT);
      assert.equal(result.type, 'ignored', line);
    }
  });
});

describe('deterministic h: event ids', () => {
  const roomstate = '@emote-only=0;room-id=1;slow=0 :tmi.twitch.tv ROOMSTATE #c';
  const noIdMessage = '@room-id=1;tmi-sent-ts=1700000006000 :u!u@u PRIVMSG #c :hi';

  it('gives the same line seen twice the same id', () => {
    assert.equal(normalize(noIdMessage, 1).event_id, normalize(noIdMessage, 2).event_id);
    assert.match(normalize(noIdMessage).event_id, /^h:[0-9a-f]{32}$/);
  });

  it('never hashes received_at: a line without tmi-sent-ts gets the same id whenever it arrives', () => {
    assert.equal(normalize(roomstate, 1).event_id, normalize(roomstate, 2).event_id);
    assert.match(normalize(roomstate).event_id, /^h:[0-9a-f]{32}$/);
  });

  it('does not depend on tag order or escaping style, but on every tag value, prefix and param', () => {
    const base = normalize('@a=1;b=x\\sy;tmi-sent-ts=5 :u!u@u PRIVMSG #c :hi').event_id;
    assert.equal(normalize('@b=x\\sy;tmi-sent-ts=5;a=1 :u!u@u PRIVMSG #c :hi').event_id, base);
    assert.equal(normalize('@b=x\\sy;tmi-sent-ts=5;a=1 :u!u@u PRIVMSG #c hi').event_id, base);
    assert.equal(normalize('@a=\\1;b=x\\sy;tmi-sent-ts=5 :u!u@u PRIVMSG #c :hi').event_id, base);
    assert.notEqual(normalize('@a=2;b=x\\sy;tmi-sent-ts=5 :u!u@u PRIVMSG #c :hi').event_id, base);
    assert.notEqual(normalize('@a=1;b=x\\sy;tmi-sent-ts=5 :v!v@v PRIVMSG #c :hi').event_id, base);
    assert.notEqual(normalize('@a=1;b=x\\sy;tmi-sent-ts=5 :u!u@u PRIVMSG #c :hi!').event_id, base);
    assert.notEqual(normalize('@a=1;b=x\\sy;tmi-sent-ts=5 :u!u@u PRIVMSG #d :hi').event_id, base);
  });

  it('uses the id tag when present, and the hash when it is empty', () => {
    assert.equal(normalize('@id=abc :u!u@u PRIVMSG #c :hi').event_id, 'abc');
    assert.match(normalize('@id= :u!u@u PRIVMSG #c :hi').event_id, /^h:/);
  });
});
