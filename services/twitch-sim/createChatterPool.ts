import type { Prng } from './createPrng.ts';
import { COLORS, NAME_PARTS_A, NAME_PARTS_B } from './namePools.ts';
import { UNICODE_WORDS } from './wordPools.ts';

export interface Chatter {
  login: string;
  id: string;
  displayName: string;
  color: string;
  turbo: boolean;
}

export interface BadgeProfile {
  badges: string;
  badgeInfo: string;
  mod: boolean;
  subscriber: boolean;
  vip: boolean;
  userType: string;
}

const profile = (badges: string, badgeInfo = '', extra: Partial<BadgeProfile> = {}): BadgeProfile => ({
  badges,
  badgeInfo,
  mod: false,
  subscriber: badges.includes('subscriber/'),
  vip: false,
  userType: '',
  ...extra,
});

/** Badge combinations weighted by repetition (most chatters have none). */
export const BADGE_PROFILES: readonly BadgeProfile[] = [
  ...Array.from({ length: 12 }, () => profile('')),
  profile('subscriber/0', 'subscriber/1'),
  profile('subscriber/0', 'subscriber/2'),
  profile('subscriber/3', 'subscriber/5'),
  profile('subscriber/12,premium/1', 'subscriber/14'),
  profile('subscriber/3012,glhf-pledge/1', 'subscriber/26'),
  profile('subscriber/6,sub-gifter/50', 'subscriber/9'),
  profile('premium/1'),
  profile('premium/1'),
  profile('bits/100'),
  profile('bits/1000,subscriber/24', 'subscriber/27'),
  profile('turbo/1'),
  profile('no_audio/1'),
  profile('glhf-pledge/1'),
  profile('moderator/1,subscriber/24', 'subscriber/27', { mod: true, userType: 'mod' }),
  profile('moderator/1', '', { mod: true, userType: 'mod' }),
  profile('vip/1,subscriber/6', 'subscriber/8', { vip: true }),
];

/** A deterministic crowd of chatters shared by all channels (each channel has its own regulars). */
export function createChatterPool(prng: Prng, size: number): Chatter[] {
  const seen = new Set<string>();
  const chatters: Chatter[] = [];
  while (chatters.length < size) {
    const login =
      `${prng.pick(NAME_PARTS_A)}${prng.chance(0.3) ? '_' : ''}${prng.pick(NAME_PARTS_B)}${prng.chance(0.7) ? prng.int(100_000) : ''}`.slice(
        0,
        25,
      );
    if (seen.has(login)) continue;
    seen.add(login);
    const roll = prng.next();
    // Display names differ from logins in case, and for some users entirely (localized names).
    const displayName =
      roll < 0.55
        ? login
        : roll < 0.97
          ? login.charAt(0).toUpperCase() + login.slice(1).replace(/_([a-z])/g, (_, c: string) => '_' + c.toUpperCase())
          : `${prng.pick(UNICODE_WORDS.slice(0, 12))}${prng.int(1000)}`;
    chatters.push({
      login,
      id: String(100_000_000 + chatters.length * 41 + prng.int(41)),
      displayName: displayName.replace(/[\s;\\]/g, ''),
      color: prng.pick(COLORS),
      turbo: prng.chance(0.02),
    });
  }
  return chatters;
}
