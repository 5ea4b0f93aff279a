import { decodeSegment, type NameOrId } from './parseLogsPath.ts';

/** Our routes beyond justlog's under a channel: search (also a user's), stats and the live tail. */
export const ChannelAction = { Search: 'search', Stats: 'stats', Live: 'live' } as const;
export type ChannelAction = (typeof ChannelAction)[keyof typeof ChannelAction];

export interface ChannelRoute {
  readonly channel: NameOrId;
  readonly user: NameOrId | undefined;
  readonly action: ChannelAction;
}

const ROUTE = /^\/(channel|channelid)\/([^/]+)(?:\/(user|userid)\/([^/]+))?\/(search|stats|live)$/;

/**
 * `/channel/{login}` or `/channelid/{id}`, then `/search`, `/stats` or `/live`; search also after
 * `/user/{login}` or `/userid/{id}`. Null for any other path (a logs route, or a 404): the
 * justlog routes never end in these words (a user's path ends in a year and month, or `random`).
 */
export function parseChannelRoute(pathname: string): ChannelRoute | null {
  const match = ROUTE.exec(pathname);
  if (match === null) return null;
  const [, channelType, channel, userType, user] = match;
  const action = match[5] as ChannelAction;
  if (user !== undefined && action !== ChannelAction.Search) return null;
  return {
    channel: { by: channelType === 'channel' ? 'login' : 'id', value: decodeSegment(channel!) },
    user: user === undefined ? undefined : { by: userType === 'user' ? 'login' : 'id', value: decodeSegment(user) },
    action,
  };
}
