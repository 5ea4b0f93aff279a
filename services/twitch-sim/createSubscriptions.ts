import type { IrcSession } from './ircSession.ts';

/** Which sessions joined which channel (catalog index), kept in step with each session's own `channels`. */
export interface Subscriptions {
  add(session: IrcSession, channelIndex: number): void;
  remove(session: IrcSession, channelIndex: number): void;
  /** Leaves every channel of the session (it closed or was dropped). */
  removeAll(session: IrcSession): void;
  sessionsOf(channelIndex: number): readonly IrcSession[] | undefined;
  /** Channels with at least one session. */
  readonly size: number;
}

export function createSubscriptions(): Subscriptions {
  const byChannel = new Map<number, IrcSession[]>();
  const remove = (session: IrcSession, channelIndex: number): void => {
    session.channels.delete(channelIndex);
    const list = byChannel.get(channelIndex);
    if (list === undefined) return;
    const rest = list.filter((s) => s !== session);
    if (rest.length === 0) byChannel.delete(channelIndex);
    else byChannel.set(channelIndex, rest);
  };
  return {
    add(session, channelIndex) {
      if (session.channels.has(channelIndex)) return;
      session.channels.add(channelIndex);
      const list = byChannel.get(channelIndex);
      if (list === undefined) byChannel.set(channelIndex, [session]);
      else list.push(session);
    },
    remove,
    removeAll(session) {
      for (const channelIndex of session.channels) remove(session, channelIndex);
    },
    sessionsOf: (channelIndex) => byChannel.get(channelIndex),
    get size() {
      return byChannel.size;
    },
  };
}
