import { buildMessage } from './buildChatLines.ts';
import type { GeneratorContext, LineBuilder, RoomState } from './generatorContext.ts';
import type { SimChannel } from './types.ts';

const TIMEOUTS = [1, 10, 60, 300, 600, 600, 1800, 86400];
const NOTICES: ReadonlyArray<readonly [string, string]> = [
  ['emote_only_on', 'This room is now in emote-only mode.'],
  ['emote_only_off', 'This room is no longer in emote-only mode.'],
  ['subs_on', 'This room is now in subscribers-only mode.'],
  ['subs_off', 'This room is no longer in subscribers-only mode.'],
  ['slow_on', 'This room is now in slow mode. You may send messages every 30 seconds.'],
  ['slow_off', 'This room is no longer in slow mode.'],
  ['followers_on_zero', 'This room is now in followers-only mode.'],
  ['followers_off', 'This room is no longer in followers-only mode.'],
  ['r9k_on', 'This room is now in unique-chat mode.'],
];

const ROOM_MODES: ReadonlyArray<readonly [keyof RoomState, readonly string[]]> = [
  ['emote-only', ['0', '1']],
  ['followers-only', ['-1', '0', '10', '30']],
  ['r9k', ['0', '1']],
  ['slow', ['0', '3', '30', '120']],
  ['subs-only', ['0', '1']],
];

export const DEFAULT_ROOM_STATE: RoomState = { 'emote-only': '0', 'followers-only': '-1', r9k: '0', slow: '0', 'subs-only': '0' };

/** The ROOMSTATE Twitch sends after a JOIN: every mode, keys in alphabetical order. */
export function roomStateLine(channel: SimChannel, state: RoomState): string {
  return `@emote-only=${state['emote-only']};followers-only=${state['followers-only']};r9k=${state.r9k};rituals=0;room-id=${channel.id};slow=${state.slow};subs-only=${state['subs-only']} :tmi.twitch.tv ROOMSTATE #${channel.login}`;
}

function chatterLogin(ctx: GeneratorContext, channel: SimChannel): { login: string; id: string } {
  return ctx.chatterFor(channel.index);
}

export const buildBan: LineBuilder = (ctx, channel, now, out) => {
  const target = chatterLogin(ctx, channel);
  out.push({
    channelIndex: channel.index,
    kind: 'ban',
    subtype: null,
    eventId: null,
    line: `@room-id=${channel.id};target-user-id=${target.id};tmi-sent-ts=${now} :tmi.twitch.tv CLEARCHAT #${channel.login} :${target.login}`,
  });
};

export const buildTimeout: LineBuilder = (ctx, channel, now, out) => {
  const target = chatterLogin(ctx, channel);
  const duration = ctx.prng.pick(TIMEOUTS);
  out.push({
    channelIndex: channel.index,
    kind: 'timeout',
    subtype: null,
    eventId: null,
    line: `@ban-duration=${duration};room-id=${channel.id};target-user-id=${target.id};tmi-sent-ts=${now} :tmi.twitch.tv CLEARCHAT #${channel.login} :${target.login}`,
  });
};

export const buildClearChat: LineBuilder = (_ctx, channel, now, out) => {
  out.push({
    channelIndex: channel.index,
    kind: 'clearchat',
    subtype: null,
    eventId: null,
    line: `@room-id=${channel.id};tmi-sent-ts=${now} :tmi.twitch.tv CLEARCHAT #${channel.login}`,
  });
};

/** Deletes the channel's last message (CLEARMSG); a channel without one gets a message instead. */
export const buildDelete: LineBuilder = (ctx, channel, now, out) => {
  const state = ctx.state(channel.index);
  const target = state.lastMessage;
  if (target === null) return buildMessage(ctx, channel, now, out);
  state.lastMessage = null;
  const text = target.text.replace(/\x01/g, '');
  out.push({
    channelIndex: channel.index,
    kind: 'delete',
    subtype: null,
    eventId: null,
    line: `@login=${target.chatter.login};room-id=;target-msg-id=${target.id};tmi-sent-ts=${now} :tmi.twitch.tv CLEARMSG #${channel.login} :${text}`,
  });
};

/** A mode change: ROOMSTATE with only the changed key, as Twitch sends it. */
export const buildRoomStateChange: LineBuilder = (ctx, channel, _now, out) => {
  const state = ctx.state(channel.index).roomState;
  const [mode, values] = ctx.prng.pick(ROOM_MODES);
  const choices = values.filter((v) => v !== state[mode]);
  const value = ctx.prng.pick(choices);
  state[mode] = value;
  const tags = [`${mode}=${value}`, `room-id=${channel.id}`].sort().join(';');
  out.push({
    channelIndex: channel.index,
    kind: 'roomstate',
    subtype: null,
    eventId: null,
    line: `@${tags} :tmi.twitch.tv ROOMSTATE #${channel.login}`,
  });
};

export const buildNotice: LineBuilder = (ctx, channel, _now, out) => {
  const [msgId, text] = ctx.prng.pick(NOTICES);
  out.push({
    channelIndex: channel.index,
    kind: 'notice',
    subtype: msgId,
    eventId: null,
    line: `@msg-id=${msgId} :tmi.twitch.tv NOTICE #${channel.login} :${text}`,
  });
};
