import type { ChatEvent } from '../events/chatEvent.ts';

/** One IRC line split into its parts; tag values are already unescaped. */
export interface IrcMessage {
  /** The line as given to the parser (no CR LF). */
  readonly raw: string;
  /** Every tag, unescaped; a tag given twice keeps its last value. A tag without `=` is `""`. */
  readonly tags: Record<string, string>;
  /** The prefix without its leading `:`, or null. */
  readonly prefix: string | null;
  readonly command: string;
  /** Middle parameters and then the trailing one (with or without its `:`). */
  readonly params: string[];
  /** True when the last parameter was given with its `:` (so it cannot be a middle parameter such as the channel). */
  readonly trailing: boolean;
}

/** Turns the parsed line of one IRC command into a ChatEvent; throws IrcParseError to reject it. */
export type Normalizer = (message: IrcMessage, receivedAt: number) => ChatEvent;

export type NormalizeResult =
  /** `message` is the parsed line, for the reader's EventIdResolver (an id-less line's id may still change). */
  | { readonly type: 'event'; readonly event: ChatEvent; readonly message: IrcMessage }
  | { readonly type: 'ignored'; readonly command: string }
  | { readonly type: 'rejected'; readonly reason: string };
