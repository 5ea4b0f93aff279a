import type { BadgeProfile, Chatter } from './createChatterPool.ts';
import type { PooledText } from './createTextPool.ts';
import { escapeTagValue } from './escapeTagValue.ts';
import type { GeneratorContext, LineBuilder } from './generatorContext.ts';
import type { GeneratedLine, SimChannel } from './types.ts';

const ANONYMOUS_GIFTER: Chatter = {
  login: 'ananonymousgifter',
  id: '274598607',
  displayName: 'AnAnonymousGifter',
  color: '',
  turbo: false,
};
const NO_BADGES: BadgeProfile = { badges: '', badgeInfo: '', mod: false, subscriber: false, vip: false, userType: '' };
const PLANS = ['Prime', '1000', '1000', '1000', '2000', '3000'] as const;
const GIFT_SIZES = [1, 1, 5, 5, 5, 10, 10, 20, 50, 100];
const ANNOUNCEMENT_COLORS = ['PRIMARY', 'PRIMARY', 'BLUE', 'GREEN', 'ORANGE', 'PURPLE'];

interface UserNotice {
  chatter: Chatter;
  badges: BadgeProfile;
  msgId: string;
  params: ReadonlyArray<readonly [string, string | number]>;
  systemMsg: string;
  text: PooledText | null;
  /** Shared Chat mirror: the original's channel, id, msg-id and badges. */
  source?: { channel: SimChannel; id: string; msgId: string; badges: BadgeProfile };
}

function tier(plan: string): string {
  return plan === 'Prime' ? 'Prime' : `Tier ${plan.charAt(0)}`;
}

function pushUserNotice(ctx: GeneratorContext, channel: SimChannel, now: number, notice: UserNotice, out: GeneratedLine[]): string {
  const id = ctx.ids.uuid();
  const { chatter, badges, source } = notice;
  let params = '';
  for (const [key, value] of notice.params) params += `msg-param-${key}=${escapeTagValue(String(value))};`;
  const sourceTags = source
    ? `source-badge-info=${source.badges.badgeInfo};source-badges=${source.badges.badges};source-id=${source.id};source-msg-id=${source.msgId};source-room-id=${source.channel.id};`
    : '';
  const line =
    `@badge-info=${badges.badgeInfo};badges=${badges.badges};color=${chatter.color};display-name=${chatter.displayName};emotes=${notice.text?.emotesTag ?? ''};` +
    `flags=;id=${id};login=${chatter.login};mod=${badges.mod ? 1 : 0};msg-id=${notice.msgId};${params}room-id=${channel.id};${sourceTags}` +
    `subscriber=${badges.subscriber ? 1 : 0};system-msg=${escapeTagValue(notice.systemMsg)};tmi-sent-ts=${now};user-id=${chatter.id};user-type=${badges.userType};vip=${badges.vip ? 1 : 0}` +
    ` :tmi.twitch.tv USERNOTICE #${channel.login}${notice.text ? ` :${notice.text.text}` : ''}`;
  out.push({ channelIndex: channel.index, kind: 'usernotice', subtype: source ? source.msgId : notice.msgId, eventId: id, line });
  return id;
}

function subNotice(ctx: GeneratorContext, channel: SimChannel, resub: boolean): UserNotice {
  const { prng } = ctx;
  const chatter = ctx.chatterFor(channel.index);
  const plan = prng.pick(PLANS);
  const months = resub ? prng.range(2, 80) : 1;
  const streak = prng.chance(0.5);
  return {
    chatter,
    badges: { ...ctx.badgesFor(chatter, channel), subscriber: true },
    msgId: resub ? 'resub' : 'sub',
    params: [
      ['cumulative-months', months],
      ['months', 0],
      ['multimonth-duration', 1],
      ['multimonth-tenure', 0],
      ['should-share-streak', streak ? 1 : 0],
      ...(streak && resub ? [['streak-months', prng.range(1, months)] as const] : []),
      ['sub-plan-name', `Channel Subscription (${channel.login})`],
      ['sub-plan', plan],
      ['was-gifted', 'false'],
    ],
    systemMsg: `${chatter.displayName} subscribed ${plan === 'Prime' ? 'with Prime' : `at ${tier(plan)}`}.${resub ? ` They've subscribed for ${months} months!` : ''}`,
    text: resub && prng.chance(0.6) ? prng.pick(ctx.texts) : null,
  };
}

export const buildSub: LineBuilder = (ctx, channel, now, out) =>
  void pushUserNotice(ctx, channel, now, subNotice(ctx, channel, false), out);
export const buildResub: LineBuilder = (ctx, channel, now, out) =>
  void pushUserNotice(ctx, channel, now, subNotice(ctx, channel, true), out);

function giftNotice(
  ctx: GeneratorContext,
  channel: SimChannel,
  gifter: Chatter,
  badges: BadgeProfile,
  originId: string,
  senderCount: number,
): UserNotice {
  const recipient = ctx.chatterFor(channel.index);
  const anonymous = gifter === ANONYMOUS_GIFTER;
  return {
    chatter: gifter,
    badges,
    msgId: 'subgift',
    params: [
      ['gift-months', 1],
      ['months', ctx.prng.range(1, 30)],
      ['origin-id', originId],
      ['recipient-display-name', recipient.displayName],
      ['recipient-id', recipient.id],
      ['recipient-user-name', recipient.login],
      ['sender-count', senderCount],
      ['sub-plan-name', `Channel Subscription (${channel.login})`],
      ['sub-plan', '1000'],
    ],
    systemMsg: `${anonymous ? 'An anonymous user' : gifter.displayName} gifted a Tier 1 sub to ${recipient.displayName}!`,
    text: null,
  };
}

/** A gift wave: submysterygift announcing N gifts, then N subgift lines sharing its origin-id. */
export const buildGiftWave: LineBuilder = (ctx, channel, now, out) => {
  const { prng } = ctx;
  const anonymous = prng.chance(0.1);
  const gifter = anonymous ? ANONYMOUS_GIFTER : ctx.chatterFor(channel.index);
  const badges = anonymous ? NO_BADGES : ctx.badgesFor(gifter, channel);
  const count = Math.max(1, Math.min(ctx.maxGiftWave, prng.pick(GIFT_SIZES)));
  const total = count + prng.int(500);
  const originId = ctx.ids.originId();
  pushUserNotice(
    ctx,
    channel,
    now,
    {
      chatter: gifter,
      badges,
      msgId: 'submysterygift',
      params: [
        ['mass-gift-count', count],
        ['origin-id', originId],
        ...(anonymous ? [] : [['sender-count', total] as const]),
        ['sub-plan', '1000'],
      ],
      systemMsg: `${anonymous ? 'An anonymous user is' : `${gifter.displayName} is`} gifting ${count} Tier 1 Subs to ${channel.displayName}'s community!${anonymous ? '' : ` They've gifted a total of ${total} in the channel!`}`,
      text: null,
    },
    out,
  );
  for (let i = 0; i < count; i++) pushUserNotice(ctx, channel, now, giftNotice(ctx, channel, gifter, badges, originId, 0), out);
};

export const buildSubGift: LineBuilder = (ctx, channel, now, out) => {
  const gifter = ctx.chatterFor(channel.index);
  pushUserNotice(
    ctx,
    channel,
    now,
    giftNotice(ctx, channel, gifter, ctx.badgesFor(gifter, channel), ctx.ids.originId(), ctx.prng.range(1, 200)),
    out,
  );
};

export const buildGiftPaidUpgrade: LineBuilder = (ctx, channel, now, out) => {
  const chatter = ctx.chatterFor(channel.index);
  const sender = ctx.chatterFor(channel.index);
  pushUserNotice(
    ctx,
    channel,
    now,
    {
      chatter,
      badges: { ...ctx.badgesFor(chatter, channel), subscriber: true },
      msgId: 'giftpaidupgrade',
      params: [
        ['sender-login', sender.login],
        ['sender-name', sender.displayName],
      ],
      systemMsg: `${chatter.displayName} is continuing the Gift Sub they got from ${sender.displayName}!`,
      text: null,
    },
    out,
  );
};

export const buildRaid: LineBuilder = (ctx, channel, now, out) => {
  const { prng, catalog } = ctx;
  const raider = catalog.channels[prng.int(catalog.channels.length)] as SimChannel;
  const viewers = Math.max(1, Math.min(raider.viewers, prng.range(1, 5000)));
  const chatter: Chatter = { login: raider.login, id: raider.id, displayName: raider.displayName, color: '#8A2BE2', turbo: false };
  pushUserNotice(
    ctx,
    channel,
    now,
    {
      chatter,
      badges: NO_BADGES,
      msgId: 'raid',
      params: [
        ['displayName', raider.displayName],
        ['login', raider.login],
        ['profileImageURL', `https://static-cdn.jtvnw.net/jtv_user_pictures/${raider.login}-profile_image-70x70.png`],
        ['viewerCount', viewers],
      ],
      systemMsg: `${viewers} raiders from ${raider.displayName} have joined!`,
      text: null,
    },
    out,
  );
};

function announcementNotice(ctx: GeneratorContext, channel: SimChannel): UserNotice {
  const chatter = ctx.chatterFor(channel.index);
  return {
    chatter,
    badges: { badges: 'moderator/1', badgeInfo: '', mod: true, subscriber: false, vip: false, userType: 'mod' },
    msgId: 'announcement',
    params: [['color', ctx.prng.pick(ANNOUNCEMENT_COLORS)]],
    systemMsg: '',
    text: ctx.prng.pick(ctx.texts),
  };
}

export const buildAnnouncement: LineBuilder = (ctx, channel, now, out) =>
  void pushUserNotice(ctx, channel, now, announcementNotice(ctx, channel), out);

const HEY_GUYS: PooledText = { text: 'HeyGuys', length: 7, emotes: [['30259', 0, 6]], emotesTag: '30259:0-6' };

export const buildRitual: LineBuilder = (ctx, channel, now, out) => {
  const chatter = ctx.chatterFor(channel.index);
  pushUserNotice(
    ctx,
    channel,
    now,
    {
      chatter,
      badges: NO_BADGES,
      msgId: 'ritual',
      params: [['ritual-name', 'new_chatter']],
      systemMsg: `@${chatter.displayName} is new here. Say hello!`,
      text: HEY_GUYS,
    },
    out,
  );
};

export const buildViewerMilestone: LineBuilder = (ctx, channel, now, out) => {
  const chatter = ctx.chatterFor(channel.index);
  const value = ctx.prng.range(3, 20);
  pushUserNotice(
    ctx,
    channel,
    now,
    {
      chatter,
      badges: ctx.badgesFor(chatter, channel),
      msgId: 'viewermilestone',
      params: [
        ['category', 'watch-streak'],
        ['copoReward', 450],
        ['id', ctx.ids.uuid()],
        ['value', value],
      ],
      systemMsg: `${chatter.displayName} watched ${value} consecutive streams and sparked a watch streak!`,
      text: ctx.prng.chance(0.5) ? ctx.prng.pick(ctx.texts) : null,
    },
    out,
  );
};

export const buildBitsBadgeTier: LineBuilder = (ctx, channel, now, out) => {
  const chatter = ctx.chatterFor(channel.index);
  pushUserNotice(
    ctx,
    channel,
    now,
    {
      chatter,
      badges: ctx.badgesFor(chatter, channel),
      msgId: 'bitsbadgetier',
      params: [['threshold', ctx.prng.pick([100, 1000, 5000, 10000])]],
      systemMsg: 'bits badge tier notification',
      text: ctx.prng.chance(0.5) ? ctx.prng.pick(ctx.texts) : null,
    },
    out,
  );
};

/** A sub, resub or announcement in one channel of a Shared Chat session, mirrored to its partner as sharedchatnotice. */
export const buildSharedChatNotice: LineBuilder = (ctx, channel, now, out) => {
  const partnerIndex = ctx.partnerOf(channel.index);
  const partner = partnerIndex === null ? undefined : ctx.catalog.channels[partnerIndex];
  const roll = ctx.prng.int(3);
  const notice =
    roll === 0 ? subNotice(ctx, channel, false) : roll === 1 ? subNotice(ctx, channel, true) : announcementNotice(ctx, channel);
  const id = pushUserNotice(ctx, channel, now, notice, out);
  if (partner === undefined) return;
  pushUserNotice(
    ctx,
    partner,
    now,
    {
      ...notice,
      msgId: 'sharedchatnotice',
      badges: { ...notice.badges, badges: '', badgeInfo: '' },
      source: { channel, id, msgId: notice.msgId, badges: notice.badges },
    },
    out,
  );
};
