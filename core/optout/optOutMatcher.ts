import { isStreamSnapshot, type StreamEvent } from '../events/streamEvent.ts';
import type { OptOutSelector } from '../sinks/types.ts';
import type { OptOutEntry, OptOuts } from './optOuts.ts';

/**
 * Whether something held outside the sinks (a dead letter, a journal record's line, an event
 * still in an ingester) belongs to someone named: the same rule as the sinks' deletions and the
 * consumer's gate (touchesOptedOut), for callers that have a selector (one entry, or the list).
 */
export interface OptOutMatcher {
  /** True when nobody is named: callers skip the work. */
  readonly empty: boolean;
  /** An event by, about (bans, timeouts, gifts) or in someone named. */
  event(e: StreamEvent): boolean;
  /** A raw IRC line or a JSON text (one that did not decode as an event) that names someone. */
  line(text: string): boolean;
  /**
   * False when the text holds none of the ids and logins at all, so nothing in it can be theirs:
   * a cheap test before decoding (a record that does not name anyone is kept without parsing it).
   */
  mayName(text: string): boolean;
}

/** The selector of some opt-out entries (keys are ids, or `login:<login>` when only the login was given). */
export function selectorOf(users: readonly [string, OptOutEntry][], channels: readonly [string, OptOutEntry][]): OptOutSelector {
  const ids = (entries: readonly [string, OptOutEntry][]) => entries.map(([key]) => key).filter((key) => !key.startsWith('login:'));
  const loginKeys = (entries: readonly [string, OptOutEntry][]) =>
    entries.filter(([key]) => key.startsWith('login:')).map(([key]) => key.slice('login:'.length));
  return {
    userIds: ids(users),
    userLogins: loginKeys(users),
    channelIds: ids(channels),
    // A channel is also named by its login (events before the room id was known, the refresher).
    channelLogins: [...new Set([...loginKeys(channels), ...channels.flatMap(([, e]) => (e.login === null ? [] : [e.login]))])],
  };
}

/** The selector of the whole list (what an ingester leaves out). */
export const listSelector = (o: OptOuts): OptOutSelector => selectorOf(Object.entries(o.users), Object.entries(o.channels));

export function optOutMatcher(who: OptOutSelector): OptOutMatcher {
  const userIds = new Set(who.userIds);
  const userLogins = new Set(who.userLogins);
  const channelIds = new Set(who.channelIds);
  const channelLogins = new Set(who.channelLogins);
  const user = (id: string | null, login: string | null) => (id !== null && userIds.has(id)) || (login !== null && userLogins.has(login));
  const ids = [...userIds, ...channelIds];
  const logins = [...userLogins, ...channelLogins];
  return {
    empty: ids.length === 0 && logins.length === 0,
    event(e) {
      if (isStreamSnapshot(e)) return channelLogins.has(e.channel) || channelIds.has(e.channel_id);
      return (
        user(e.user_id, e.user_login) ||
        user(e.target_user_id, e.target_user_login) ||
        (e.channel_id !== null && channelIds.has(e.channel_id)) ||
        (e.source_channel_id !== null && channelIds.has(e.source_channel_id)) ||
        channelLogins.has(e.channel)
      );
    },
    mayName: (text) => ids.some((id) => text.includes(id)) || logins.some((login) => text.includes(login)),
    line(text) {
      for (const id of ids)
        if (text.includes(`user-id=${id}`) || text.includes(`room-id=${id}`) || text.includes(`"${id}"`) || text.includes(`=${id};`))
          return true;
      for (const login of logins)
        if (text.includes(`:${login}!`) || text.includes(`#${login} `) || text.endsWith(`#${login}`) || text.includes(`"${login}"`))
          return true;
      return false;
    },
  };
}
