import type { ChannelAnchors } from './channelAnchors.ts';
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

/**
 * Turns the parsed line of one IRC command into a ChatEvent; throws IrcParseError to reject it.
 * `anchors` (the reader's, or none) only feeds the `h:` id of a line without tmi-sent-ts.
 */
export type Normalizer = (message: IrcMessage, receivedAt: number, anchors: ChannelAnchors | undefined) => ChatEvent;

export type NormalizeResult =
  | { readonly type: 'event'; readonly event: ChatEvent }
  | { readonly type: 'ignored'; readonly command: string }
  | { readonly type: 'rejected'; readonly reason: string };
