import type { LiveChannel } from '../control/rebalance.ts';
import { fetchLiveStreams } from './fetchLiveStreams.ts';
import type { HelixClient } from './helixClient.ts';
import { fetchStreamsOf, resolveUsers } from './resolveUsers.ts';
import type { HelixStream } from './schemas.ts';

export interface DiscoverOptions {
  /** Null without Twitch credentials: only a static list can be used then. */
  readonly helix: HelixClient | null;
  /** CHANNELS: a fixed list instead of discovery. */
  readonly staticChannels: readonly string[];
  readonly excluded: ReadonlySet<string>;
  readonly maxChannels: number;
  readonly minViewers: number;
  readonly languages: readonly string[];
}

export interface Discovery {
  readonly source: 'static' | 'helix';
  /** The channels to assign (never an excluded one). */
  readonly channels: LiveChannel[];
  /** The live streams seen, for stream snapshots. */
  readonly streams: HelixStream[];
  readonly pages: number;
  readonly stoppedBy?: string;
}

/**
 * The channels to capture. A static list is always assigned as it is (viewer counts and ids come
 * from Helix when there are credentials, otherwise 0 and null); otherwise the top live streams.
 */
export async function discoverChannels(options: DiscoverOptions): Promise<Discovery> {
  if (options.staticChannels.length > 0) {
    const logins = options.staticChannels.filter((login) => !options.excluded.has(login));
    if (!options.helix)
      return { source: 'static', channels: logins.map((login) => ({ login, id: null, viewers: 0 })), streams: [], pages: 0 };
    const users = await resolveUsers(options.helix, logins);
    const streams = await fetchStreamsOf(options.helix, logins);
    const viewers = new Map(streams.map((s) => [s.user_login, s.viewer_count]));
    const channels = logins.map((login) => ({ login, id: users.get(login)?.id ?? null, viewers: viewers.get(login) ?? 0 }));
    return { source: 'static', channels, streams, pages: Math.ceil(logins.length / 100) * 2 };
  }
  if (!options.helix) throw new Error('discoverChannels needs Twitch credentials or a CHANNELS list');
  const result = await fetchLiveStreams(options.helix, options);
  const channels = result.streams.map((s) => ({ login: s.user_login, id: s.user_id, viewers: s.viewer_count }));
  return { source: 'helix', channels, streams: result.streams, pages: result.pages, stoppedBy: result.stoppedBy };
}
