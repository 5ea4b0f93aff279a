import type { ChannelCatalog } from './createChannelCatalog.ts';
import type { Prng } from './createPrng.ts';
import type { SimChannel } from './types.ts';

/** A live stream as GET /helix/streams returns it. */
export interface HelixStream {
  id: string;
  user_id: string;
  user_login: string;
  user_name: string;
  game_id: string;
  game_name: string;
  type: 'live';
  title: string;
  viewer_count: number;
  started_at: string;
  language: string;
  thumbnail_url: string;
  tag_ids: string[];
  tags: string[];
  is_mature: boolean;
}

/** The live streams, sorted by viewers (descending) like Helix; viewer counts can drift between requests. */
export interface StreamDirectory {
  /** Current order (do not mutate). */
  sorted(): readonly HelixStream[];
  /** Moves a fraction of viewer counts up or down and re-sorts: what makes real pages shift. */
  shift(fraction: number): void;
  setLive: (login: string, live: boolean) => void;
  setViewers: (login: string, viewers: number) => void;
}

function toStream(channel: SimChannel): HelixStream {
  return {
    id: channel.streamId,
    user_id: channel.id,
    user_login: channel.login,
    user_name: channel.displayName,
    game_id: channel.gameId,
    game_name: channel.gameName,
    type: 'live',
    title: channel.title,
    viewer_count: channel.viewers,
    started_at: channel.startedAt,
    language: channel.language,
    thumbnail_url: `https://static-cdn.jtvnw.net/previews-ttv/live_user_${channel.login}-{width}x{height}.jpg`,
    tag_ids: [],
    tags: channel.tags,
    is_mature: channel.isMature,
  };
}

/** Most viewers first; ties by user id, so the order is the same on every run. */
const byViewers = (a: HelixStream, b: HelixStream): number => b.viewer_count - a.viewer_count || (a.user_id < b.user_id ? -1 : 1);

export function createStreamDirectory(deps: { catalog: ChannelCatalog; liveChannels: number | null; prng: Prng }): StreamDirectory {
  const all = new Map(deps.catalog.channels.map((c) => [c.login, toStream(c)]));
  const live = new Set(deps.catalog.channels.slice(0, deps.liveChannels ?? deps.catalog.channels.length).map((c) => c.login));
  let order: HelixStream[] = [];
  // setLive and setViewers only mark the order stale: re-sorting 100,000 streams on each of them
  // took ~35 ms, so the scale bench's churn (thousands of calls between two Helix reads) held the
  // simulator's thread for minutes. The next read sorts once.
  let stale = true;
  const current = (): HelixStream[] => {
    if (stale) {
      order = [...live].map((login) => all.get(login) as HelixStream);
      order.sort(byViewers);
      stale = false;
    }
    return order;
  };
  current();
  return {
    sorted: current,
    shift(fraction) {
      const order = current();
      const changes = Math.max(1, Math.round(order.length * fraction));
      for (let i = 0; i < changes && order.length > 0; i++) {
        const stream = order[deps.prng.int(order.length)] as HelixStream;
        stream.viewer_count = Math.max(1, Math.round(stream.viewer_count * (0.75 + deps.prng.next() * 0.5)));
      }
      order.sort(byViewers);
    },
    setLive(login, isLive) {
      if (!all.has(login)) throw new RangeError(`unknown channel ${login}`);
      if (isLive) live.add(login);
      else live.delete(login);
      stale = true;
    },
    setViewers(login, viewers) {
      const stream = all.get(login);
      if (stream === undefined) throw new RangeError(`unknown channel ${login}`);
      stream.viewer_count = viewers;
      stale = true;
    },
  };
}
