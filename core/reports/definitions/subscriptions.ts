import { inChannel, integer, reportSql } from '../reportSql.ts';
import type { ReportDefinition } from '../types.ts';

const list = (subtypes: readonly string[]) => `(${subtypes.map((s) => `'${s}'`).join(', ')})`;

/** Twitch sends one `subgift` per recipient after a `submysterygift` announcing the bundle. */
export const SUB_GROUPS = {
  subs: ['sub'],
  resubs: ['resub'],
  gifted: ['subgift', 'anonsubgift'],
  gift_bombs: ['submysterygift', 'anonsubmysterygift'],
  upgrades: ['giftpaidupgrade', 'anongiftpaidupgrade', 'primepaidupgrade'],
} as const;

const ALL = Object.values(SUB_GROUPS).flat();

export const subscriptions: ReportDefinition = {
  name: 'subscriptions',
  description: 'subscriptions, resubs, gifted subs, gift bombs and upgrades per channel',
  columns: [
    { name: 'channel', type: 'text' },
    { name: 'subs', type: 'int' },
    { name: 'resubs', type: 'int' },
    { name: 'gifted', type: 'int' },
    { name: 'gift_bombs', type: 'int' },
    { name: 'upgrades', type: 'int' },
  ],
  defaultWindowMs: null,
  sql(dialect, { range, limit, channel }) {
    const q = reportSql(dialect);
    const counts = Object.entries(SUB_GROUPS).map(([column, subtypes]) => `${q.countIf(`subtype IN ${list(subtypes)}`)} AS ${column}`);
    return `SELECT channel, ${counts.join(', ')}
FROM ${q.from('chat_events')}
WHERE kind = 'usernotice' AND subtype IN ${list(ALL)} AND ${q.inRange('sent_at', range)}${inChannel(channel)}
GROUP BY channel
ORDER BY ${q.countIf(`subtype IN ${list([...SUB_GROUPS.subs, ...SUB_GROUPS.resubs, ...SUB_GROUPS.gifted])}`)} DESC, channel
LIMIT ${integer(limit)}`;
  },
};
