import { Counter, Histogram, type Registry } from 'prom-client';

/** What the read API counts, registered into the process's registry (served on METRICS_PORT, never on API_PORT). */
export interface ApiMetrics {
  readonly requests: Counter<'route' | 'status'>;
  readonly duration: Histogram<'route'>;
  readonly rateLimited: Counter;
}

export function createApiMetrics(registry: Registry): ApiMetrics {
  const registers = [registry];
  return {
    requests: new Counter({
      name: 'poglytics_api_requests_total',
      help: 'Read API requests answered, by route and HTTP status',
      labelNames: ['route', 'status'] as const,
      registers,
    }),
    duration: new Histogram({
      name: 'poglytics_api_request_duration_seconds',
      help: 'Read API time from request to the last byte sent (a streamed channel-day included)',
      labelNames: ['route'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    rateLimited: new Counter({
      name: 'poglytics_api_rate_limited_total',
      help: 'Read API requests refused with 429 (per-client rate limit)',
      registers,
    }),
  };
}

/** The route label of a path: a handful of values whatever clients send. */
export function routeLabel(path: string): string {
  if (path === '/channels' || path === '/list' || path === '/capabilities' || path === '/openapi.json') return path.slice(1);
  if (path.startsWith('/admin/')) return 'admin';
  if (path.startsWith('/channel/') || path.startsWith('/channelid/')) {
    const action = /\/(search|stats|live)$/.exec(path)?.[1];
    if (action !== undefined) return action;
    return /\/user(id)?\//.test(path) ? 'user_logs' : 'channel_logs';
  }
  return 'other';
}
