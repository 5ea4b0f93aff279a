import { ircReplies } from './ircReplies.ts';
import type { IrcSession } from './ircSession.ts';
import { parseClientLine } from './parseClientLine.ts';

const KNOWN_CAPS = new Set(['twitch.tv/tags', 'twitch.tv/commands', 'twitch.tv/membership']);
const JUSTINFAN = /^justinfan\d+$/;

export interface ClientLineActions {
  send: (session: IrcSession, lines: readonly string[]) => void;
  drop: (session: IrcSession) => void;
  /** A JOIN's target list (`#a,#b`), for a registered session. */
  join(session: IrcSession, target: string): void;
  part(session: IrcSession, target: string): void;
}

/**
 * What the simulated Twitch server does with each line a client sends: capability negotiation,
 * login (anonymous justinfan, or PASS oauth:…), PING/PONG, QUIT, and for a registered session
 * JOIN and PART; any other command gets Twitch's 421 reply.
 */
export function createClientLineHandler(actions: ClientLineActions): (session: IrcSession, raw: string) => void {
  const { send, drop } = actions;

  function register(session: IrcSession): void {
    const nick = (session.nick as string).toLowerCase();
    session.nick = nick;
    session.anonymous = JUSTINFAN.test(nick);
    if (!session.anonymous && !(session.pass ?? '').startsWith('oauth:')) {
      send(session, [session.pass === null ? ircReplies.improperAuth() : ircReplies.loginFailed()]);
      session.ws.close();
      return;
    }
    session.registered = true;
    const lines = ircReplies.welcome(nick);
    if (!session.anonymous && session.caps.commands) lines.push(ircReplies.globalUserState(nick, String(10_000 + session.id)));
    send(session, lines);
  }

  function handleLine(session: IrcSession, raw: string): void {
    const line = parseClientLine(raw);
    if (line === null) return;
    const [first, second] = line.params;
    switch (line.command) {
      case 'CAP': {
        const sub = (first ?? '').toUpperCase();
        if (sub === 'LS') send(session, [ircReplies.capLs()]);
        else if (sub === 'REQ') {
          const requested = (second ?? '').split(' ').filter((c) => c.length > 0);
          if (requested.every((c) => KNOWN_CAPS.has(c))) {
            for (const c of requested) session.caps[c.slice('twitch.tv/'.length) as keyof IrcSession['caps']] = true;
            send(session, [ircReplies.capAck(requested.join(' '))]);
          } else send(session, [ircReplies.capNak(requested.join(' '))]);
        }
        return;
      }
      case 'PASS':
        session.pass = first ?? null;
        return;
      case 'NICK':
        if (session.registered || first === undefined) return;
        session.nick = first;
        register(session);
        return;
      case 'USER':
        return;
      case 'PING':
        send(session, [ircReplies.pong(first)]);
        return;
      case 'PONG':
        session.awaitingPongSince = null;
        return;
      case 'QUIT':
        drop(session);
        return;
    }
    if (!session.registered) return;
    switch (line.command) {
      case 'JOIN':
        if (first !== undefined) actions.join(session, first);
        return;
      case 'PART':
        if (first !== undefined) actions.part(session, first);
        return;
      case 'PRIVMSG':
        // Twitch does not echo a client's own messages.
        return;
      default:
        send(session, [ircReplies.unknownCommand(session.nick as string, line.command)]);
    }
  }

  return handleLine;
}
