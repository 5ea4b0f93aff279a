import { randomInt } from 'node:crypto';
import type { ChatEvent } from '../events/chatEvent.ts';

/**
 * Who asked to be left out (issue 18): Twitch users and channels by id, as the events carry
 * them, so a renamed account stays out. One document shared by every component: the consumer
 * drops their events and runs the deletions, the refresher never joins an opted-out channel,
 * the read service answers 403. A file locally, a control-table item on AWS (documentStores.ts).
 */
export interface OptOutEntry {
  /** The login when it was opted out (for people reading the list; ids decide). */
  readonly login: string | null;
  readonly at: number;
  readonly by: 'chat' | 'admin';
  /** Events deleted for this entry so far (never content); the audit log keeps the total when it settles. */
  readonly deleted?: number;
  /** Dead-letter lines deleted for this entry so far. */
  readonly deletedDeadLetters?: number;
  /** When the last needed sweep ran (sweepOptOuts.ts): nothing of it is stored any more. */
  readonly settledAt?: number;
}

export type CodeAction = 'optout' | 'optin';

/** A code handed out by `POST /optout`, valid until `expiresAt`, good for one use. */
export interface OptOutCode {
  readonly action: CodeAction;
  readonly createdAt: number;
  readonly expiresAt: number;
  /** Set once redeemed, with what it did: a second use is refused as `used`. */
  readonly usedAt?: number;
  readonly outcome?: string;
  /** The last refused attempt with this code and why (expired-code, used-code, wrong-command). */
  readonly refused?: { readonly at: number; readonly outcome: RedeemOutcome };
}

export interface OptOuts {
  /** user_id → entry */
  readonly users: Readonly<Record<string, OptOutEntry>>;
  /** channel_id (room id) → entry */
  readonly channels: Readonly<Record<string, OptOutEntry>>;
  readonly codes: Readonly<Record<string, OptOutCode>>;
}

export const NO_OPT_OUTS: OptOuts = { users: {}, channels: {}, codes: {} };

/** How long a code can be redeemed, and how long a spent or expired one is kept to say why a retry fails. */
export const CODE_VALID_MS = 10 * 60_000;
const CODE_KEPT_MS = 24 * 3_600_000;
/** 10 characters of 32: 50 bits, so guessing a live code among a few thousand is hopeless. */
const CODE_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const CODE_LENGTH = 10;
const COMMAND = /^!(optout|optin)\s+([a-z0-9]{4,32})\s*$/i;

export function issueCode(o: OptOuts, action: CodeAction, now: number): { optOuts: OptOuts; code: string; expiresAt: number } {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  const codes = Object.fromEntries(Object.entries(o.codes).filter(([, c]) => now - c.expiresAt < CODE_KEPT_MS));
  const expiresAt = now + CODE_VALID_MS;
  return { optOuts: { ...o, codes: { ...codes, [code]: { action, createdAt: now, expiresAt } } }, code, expiresAt };
}

/** `!optout CODE` / `!optin CODE` in a chat message, or null. */
export function chatCommand(e: ChatEvent): { action: CodeAction; code: string } | null {
  if (e.kind !== 'message' || e.text === null || e.user_id === null) return null;
  const match = COMMAND.exec(e.text);
  return match ? { action: match[1]!.toLowerCase() as CodeAction, code: match[2]!.toLowerCase() } : null;
}

export type RedeemOutcome =
  | 'opted-out-user'
  | 'opted-out-channel'
  | 'opted-in-user'
  | 'opted-in-channel'
  | 'unknown-code'
  | 'expired-code'
  | 'used-code'
  | 'wrong-command';

/**
 * What a chat command does. The sender's user id (from the message's tags, set by Twitch) ties
 * the code to the account; a broadcaster posting it in their own channel (user_id = room id)
 * opts the channel out (or back in). A wrong, expired or spent code changes nothing but is
 * remembered on the code, so `GET /optout/{code}` says why.
 */
export function redeemCode(o: OptOuts, e: ChatEvent, now: number): { optOuts: OptOuts; outcome: RedeemOutcome } | null {
  const command = chatCommand(e);
  if (command === null) return null;
  const code = Object.hasOwn(o.codes, command.code) ? o.codes[command.code] : undefined;
  if (code === undefined) return { optOuts: o, outcome: 'unknown-code' };
  const refuse = (outcome: RedeemOutcome) => ({
    optOuts: { ...o, codes: { ...o.codes, [command.code]: { ...code, refused: { at: now, outcome } } } },
    outcome,
  });
  if (code.usedAt !== undefined) return refuse('used-code');
  if (now > code.expiresAt) return refuse('expired-code');
  if (code.action !== command.action) return refuse('wrong-command');
  // A broadcaster in their own channel speaks for the channel. Once it is opted out its chat is no
  // longer captured, so an opt-in from a broadcaster whose channel is out counts wherever it is posted.
  const channel =
    (e.channel_id !== null && e.channel_id === e.user_id) || (command.action === 'optin' && Object.hasOwn(o.channels, e.user_id!));
  const entry: OptOutEntry = {
    login: channel ? (e.channel_id === e.user_id ? e.channel : e.user_login) : e.user_login,
    at: now,
    by: 'chat',
  };
  const id = e.user_id!;
  const outcome: RedeemOutcome = `${command.action === 'optout' ? 'opted-out' : 'opted-in'}-${channel ? 'channel' : 'user'}`;
  const spent = { ...o.codes, [command.code]: { ...code, usedAt: now, outcome } };
  return {
    optOuts: { ...setEntry(o, channel ? 'channels' : 'users', id, command.action === 'optout' ? entry : null), codes: spent },
    outcome,
  };
}

/** The list with `id` opted out (entry) or back in (null), for a user or a channel. */
export function setEntry(o: OptOuts, kind: 'users' | 'channels', id: string, entry: OptOutEntry | null): OptOuts {
  const { [id]: _previous, ...rest } = o[kind];
  return { ...o, [kind]: entry === null ? rest : { ...rest, [id]: entry } };
}

/**
 * The key of an entry: the Twitch id, or `login:<login>` when an admin named only the login (no
 * Helix lookup here); events are matched on both.
 */
export const entryKey = (id: string | null, login: string | null): string => (id !== null ? id : `login:${login}`);

/** The logins of the opted-out channels (the refresher parts them; events without a room id are matched by login). */
export function optedOutChannelLogins(o: OptOuts): Set<string> {
  return new Set(Object.values(o.channels).flatMap((entry) => (entry.login === null ? [] : [entry.login])));
}

/** A checked document (documentStores.ts): a damaged list is an error, never an empty one. */
export function parseOptOuts(value: unknown): OptOuts {
  if (typeof value !== 'object' || value === null) throw new Error('opt-out list: not an object');
  const v = value as Record<string, unknown>;
  const section = (name: keyof OptOuts) => {
    const raw = v[name] ?? {};
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`opt-out list: ${name} is not an object`);
    for (const [key, entry] of Object.entries(raw))
      if (typeof entry !== 'object' || entry === null || typeof (entry as { at?: unknown; createdAt?: unknown }).at !== 'number')
        if (name !== 'codes' || typeof (entry as { createdAt?: unknown }).createdAt !== 'number')
          throw new Error(`opt-out list: bad entry ${JSON.stringify(key)} in ${name}`);
    return raw as Record<string, never>;
  };
  return { users: section('users'), channels: section('channels'), codes: section('codes') };
}
