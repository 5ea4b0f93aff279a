/** One line of `?ndjson` (services/api/formats/jsonMessage.ts `fullMessage`): what the viewer reads. */
export interface LogMessage {
  readonly text: string;
  readonly username: string;
  readonly displayName: string;
  readonly channel: string;
  readonly timestamp: string;
  readonly id: string;
  /** go-twitch-irc's MessageType: 1 PRIVMSG, 2 CLEARCHAT, 3 ROOMSTATE, 4 USERNOTICE, 6 NOTICE, 13 CLEARMSG. */
  readonly type: number;
  readonly raw: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** What is open: a channel's day, or one user's month in a channel (the two justlog views). */
export type Scope =
  | { readonly kind: 'day'; readonly channel: string; readonly date: string }
  | { readonly kind: 'month'; readonly channel: string; readonly user: string; readonly month: string };
