import type { Scope } from './types.ts';

/** What the URL hash holds: the open log and, for a permalink, the line. */
export interface Route {
  readonly scope: Scope | null;
  /** A search of all of a channel's logs (`/channel/{c}/search?q=`), when the service has it. */
  readonly search?: { readonly channel: string; readonly q: string } | null;
  readonly lineId: string | null;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MONTH = /^\d{4}-\d{2}$/;

/**
 * `#c=chan&d=2024-02-01&id=…` (a channel's day), `#c=chan&u=user&m=2024-02&id=…` (a user's month)
 * or `#c=chan&q=words` (a search of the channel).
 */
export function parseRoute(hash: string): Route {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const channel = params.get('c')?.trim().toLowerCase() ?? '';
  const user = params.get('u')?.trim().toLowerCase() ?? '';
  const date = params.get('d') ?? '';
  const month = params.get('m') ?? '';
  let scope: Scope | null = null;
  if (channel !== '' && user !== '' && MONTH.test(month)) scope = { kind: 'month', channel, user, month };
  else if (channel !== '' && DAY.test(date)) scope = { kind: 'day', channel, date };
  const q = params.get('q')?.trim() ?? '';
  const search = scope === null && channel !== '' && q !== '' ? { channel, q } : null;
  return { scope, search, lineId: params.get('id') || null };
}

export function formatRoute(route: Route): string {
  const params = new URLSearchParams();
  const s = route.scope;
  if (s?.kind === 'day') {
    params.set('c', s.channel);
    params.set('d', s.date);
  } else if (s?.kind === 'month') {
    params.set('c', s.channel);
    params.set('u', s.user);
    params.set('m', s.month);
  } else if (route.search) {
    params.set('c', route.search.channel);
    params.set('q', route.search.q);
  }
  if (route.lineId !== null) params.set('id', route.lineId);
  return `#${params.toString()}`;
}

export const sameScope = (a: Scope | null, b: Scope | null) => JSON.stringify(a) === JSON.stringify(b);

/** The API path of a scope's log: `/channel/c/2024/2/1` or `/channel/c/user/u/2024/2` (justlog's, months and days unpadded). */
export function logPath(scope: Scope): string {
  const c = encodeURIComponent(scope.channel);
  if (scope.kind === 'day') {
    const [y, m, d] = scope.date.split('-').map(Number);
    return `/channel/${c}/${y}/${m}/${d}`;
  }
  const [y, m] = scope.month.split('-').map(Number);
  return `/channel/${c}/user/${encodeURIComponent(scope.user)}/${y}/${m}`;
}
