import { clearchat } from './commands/clearchat.ts';
import { clearmsg } from './commands/clearmsg.ts';
import { notice } from './commands/notice.ts';
import { privmsg } from './commands/privmsg.ts';
import { roomstate } from './commands/roomstate.ts';
import { usernotice } from './commands/usernotice.ts';
import type { Normalizer } from './types.ts';

/**
 * The IRC commands that are chat events, one normalizer each. Every other command (PING, JOIN,
 * numerics, USERSTATE, WHISPER, RECONNECT, …) is protocol and is ignored.
 */
export const normalizers: ReadonlyMap<string, Normalizer> = new Map<string, Normalizer>([
  ['PRIVMSG', privmsg],
  ['USERNOTICE', usernotice],
  ['CLEARCHAT', clearchat],
  ['CLEARMSG', clearmsg],
  ['ROOMSTATE', roomstate],
  ['NOTICE', notice],
]);
