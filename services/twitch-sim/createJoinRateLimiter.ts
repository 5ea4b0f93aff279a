/** Twitch's JOIN limit: at most `count` channel joins per sliding `windowMs` on one connection. */
export interface JoinRateLimiter {
  /** Records one JOIN attempt at `now`; false when it exceeds the limit. */
  tryJoin(now: number): boolean;
}

export function createJoinRateLimiter(limit: { count: number; windowMs: number } | null): JoinRateLimiter {
  if (limit === null) return { tryJoin: () => true };
  const times: number[] = [];
  return {
    tryJoin(now) {
      while (times.length > 0 && (times[0] as number) <= now - limit.windowMs) times.shift();
      times.push(now);
      return times.length <= limit.count;
    },
  };
}
