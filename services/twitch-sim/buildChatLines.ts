import type { BadgeProfile, Chatter } from './createChatterPool.ts';
import { formatEmotesTag, type PooledText } from './createTextPool.ts';
import { escapeTagValue } from './escapeTagValue.ts';
import type { GeneratorContext, LineBuilder } from './generatorContext.ts';
import type { GeneratedLine, SimChannel } from './types.ts';
import { CHEERMOTES } from './wordPools.ts';

const CHEER_AMOUNTS = [1, 10, 50, 100, 100, 100, 500, 1000, 5000];
const FLAGS = ['5-8:P.3', '0-3:A.3', '17-26:S.6'];

interface PrivmsgSegments {
  head: string;
  middle: string;
  mod: string;
  subscriber: string;
  tail: string;
}

const segmentCache = new WeakMap<Chatter, Map<BadgeProfile, PrivmsgSegments>>();

/** The parts of a PRIVMSG that depend only on the author and their badges, built once per pair. */
function privmsgSegments(chatter: Chatter, badges: BadgeProfile): PrivmsgSegments {
  let byBadges = segmentCache.get(chatter);
  if (byBadges === undefined) {
    byBadges = new Map();
    segmentCache.set(chatter, byBadges);
  }
  let segments = byBadges.get(badges);
  if (segments === undefined) {
    segments = {
      head: `@badge-info=${badges.badgeInfo};badges=${badges.badges};`,
      middle: `color=${chatter.color};display-name=${chatter.displayName};emotes=`,
      mod: `;mod=${badges.mod ? 1 : 0};`,
      subscriber: `subscriber=${badges.subscriber ? 1 : 0};tmi-sent-ts=`,
      tail: `;turbo=${chatter.turbo ? 1 : 0};user-id=${chatter.id};user-type=${badges.userType}${badges.vip ? ';vip=1' : ''} :${chatter.login}!${chatter.login}@${chatter.login}.tmi.twitch.tv PRIVMSG #`,
    };
    byBadges.set(badges, segments);
  }
  return segments;
}

type Variant = 'plain' | 'action' | 'reply' | 'first' | 'cheer' | 'highlighted';

interface SharedChat {
  sourceChannel: SimChannel;
  /** The original's id; null for the original itself (it names its own id). */
  sourceId: string | null;
  chatter?: Chatter;
  pooled?: PooledText;
}

function buildPrivmsg(
  ctx: GeneratorContext,
  channel: SimChannel,
  now: number,
  variant: Variant,
  out: GeneratedLine[],
  shared?: SharedChat,
): { id: string; chatter: Chatter; pooled: PooledText } {
  const { prng, ids } = ctx;
  const chatter = shared?.chatter ?? ctx.chatterFor(channel.index);
  const badges = ctx.badgesFor(chatter, channel);
  const pooled = shared?.pooled ?? prng.pick(ctx.texts);
  const id = ids.uuid();
  const state = ctx.state(channel.index);
  let text = pooled.text;
  let emotes = pooled.emotesTag;
  let bits = '';
  let reply = '';
  let msgId = '';
  if (variant === 'cheer') {
    const amount = prng.pick(CHEER_AMOUNTS);
    const prefix = `${prng.pick(CHEERMOTES)}${amount} `;
    text = prefix + text;
    emotes = formatEmotesTag(pooled.emotes, prefix.length);
    bits = `bits=${amount};`;
  } else if (variant === 'reply' && state.lastMessage !== null) {
    const parent = state.lastMessage;
    const prefix = `@${parent.chatter.displayName} `;
    text = prefix + text;
    emotes = formatEmotesTag(pooled.emotes, [...prefix].length);
    reply = `reply-parent-display-name=${parent.chatter.displayName};reply-parent-msg-body=${escapeTagValue(parent.text)};reply-parent-msg-id=${parent.id};reply-parent-user-id=${parent.chatter.id};reply-parent-user-login=${parent.chatter.login};reply-thread-parent-display-name=${parent.chatter.displayName};reply-thread-parent-msg-id=${parent.id};reply-thread-parent-user-id=${parent.chatter.id};reply-thread-parent-user-login=${parent.chatter.login};`;
  } else if (variant === 'highlighted') {
    msgId = 'msg-id=highlighted-message;';
  }
  const body = variant === 'action' ? `\x01ACTION ${text}\x01` : text;
  const nonce = prng.chance(0.7) ? `client-nonce=${ids.nonce()};` : '';
  const flags = prng.chance(0.03) ? prng.pick(FLAGS) : '';
  const source = shared
    ? `source-badge-info=${badges.badgeInfo};source-badges=${badges.badges};source-id=${shared.sourceId ?? id};source-only=0;source-room-id=${shared.sourceChannel.id};`
    : '';
  const segments = privmsgSegments(chatter, badges);
  // One join builds a flat string: chained `+` would leave a deep rope that every later write re-flattens.
  const line = [
    segments.head,
    bits,
    nonce,
    segments.middle,
    emotes,
    variant === 'first' ? ';first-msg=1;flags=' : ';first-msg=0;flags=',
    flags,
    ';id=',
    id,
    segments.mod,
    msgId,
    reply,
    'returning-chatter=0;room-id=',
    channel.id,
    ';',
    source,
    segments.subscriber,
    String(now),
    segments.tail,
    channel.login,
    ' :',
    body,
  ].join('');
  out.push({ channelIndex: channel.index, kind: 'message', subtype: msgId ? 'highlighted-message' : null, eventId: id, line });
  if (shared?.sourceId == null) state.lastMessage = { id, chatter, text: body };
  return { id, chatter, pooled };
}

export const buildMessage: LineBuilder = (ctx, channel, now, out) =>
  void buildPrivmsg(ctx, channel, now, ctx.prng.chance(0.003) ? 'highlighted' : 'plain', out);
export const buildAction: LineBuilder = (ctx, channel, now, out) => void buildPrivmsg(ctx, channel, now, 'action', out);
export const buildReply: LineBuilder = (ctx, channel, now, out) => void buildPrivmsg(ctx, channel, now, 'reply', out);
export const buildFirstMessage: LineBuilder = (ctx, channel, now, out) => void buildPrivmsg(ctx, channel, now, 'first', out);
export const buildCheer: LineBuilder = (ctx, channel, now, out) => void buildPrivmsg(ctx, channel, now, 'cheer', out);

/** A Shared Chat message: sent in its channel and mirrored into the partner with source-* tags. */
export const buildSharedChatMessage: LineBuilder = (ctx, channel, now, out) => {
  const partnerIndex = ctx.partnerOf(channel.index);
  const partner = partnerIndex === null ? undefined : ctx.catalog.channels[partnerIndex];
  if (partner === undefined) return void buildPrivmsg(ctx, channel, now, 'plain', out);
  const original = buildPrivmsg(ctx, channel, now, 'plain', out, { sourceChannel: channel, sourceId: null });
  buildPrivmsg(ctx, partner, now, 'plain', out, {
    sourceChannel: channel,
    sourceId: original.id,
    chatter: original.chatter,
    pooled: original.pooled,
  });
};
