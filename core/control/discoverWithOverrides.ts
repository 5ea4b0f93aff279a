import { discoverChannels, type Discovery, type DiscoverOptions } from '../twitch/discoverChannels.ts';
import type { ChannelOverrides } from './channelOverrides.ts';

export interface MergedDiscovery {
  readonly discovery: Discovery;
  /**
   * Logins to take out of the assignment now, not after OFFLINE_GRACE_MINUTES: the excluded ones
   * and the removed ones that discovery did not find on its own.
   */
  readonly parted: ReadonlySet<string>;
}

/**
 * Discovery (CHANNELS or Helix) merged with the admin's run-time changes: excluded logins join
 * EXCLUDED_CHANNELS; added ones are captured like CHANNELS (resolved through Helix when there are
 * credentials), on top of the top live channels in Helix mode; removed ones are parted unless
 * discovery finds them itself (a removed channel that is among the top live ones stays).
 * Opted-out channels (issue 18) are never joined: by login, and by room id once Helix gives it.
 */
export async function discoverWithOverrides(
  options: DiscoverOptions,
  overrides: ChannelOverrides,
  optedOut: { readonly logins: ReadonlySet<string>; readonly ids: ReadonlySet<string> } = { logins: new Set(), ids: new Set() },
): Promise<MergedDiscovery> {
  const excluded = new Set([...options.excluded, ...Object.keys(overrides.excluded), ...optedOut.logins]);
  const added = Object.keys(overrides.added).filter((login) => !excluded.has(login));
  let discovery: Discovery;
  if (options.staticChannels.length > 0) {
    discovery = await discoverChannels({ ...options, excluded, staticChannels: [...new Set([...options.staticChannels, ...added])] });
  } else {
    discovery = await discoverChannels({ ...options, excluded });
    const found = new Set(discovery.channels.map((c) => c.login));
    const extra = added.filter((login) => !found.has(login));
    if (extra.length > 0) {
      const more = await discoverChannels({ ...options, excluded, staticChannels: extra });
      discovery = {
        ...discovery,
        channels: [...discovery.channels, ...more.channels],
        streams: [...discovery.streams, ...more.streams],
        pages: discovery.pages + more.pages,
      };
    }
  }
  // An opted-out channel is matched by room id too: it may have been renamed since.
  const renamed = discovery.channels.filter((c) => c.id !== null && optedOut.ids.has(c.id)).map((c) => c.login);
  if (renamed.length > 0) {
    const out = new Set(renamed);
    discovery = {
      ...discovery,
      channels: discovery.channels.filter((c) => !out.has(c.login)),
      streams: discovery.streams.filter((s) => !optedOut.ids.has(s.user_id)),
    };
  }
  const found = new Set(discovery.channels.map((c) => c.login));
  const parted = new Set([...excluded, ...renamed, ...Object.keys(overrides.removed).filter((login) => !found.has(login))]);
  return { discovery, parted };
}
