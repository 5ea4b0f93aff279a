/**
 * Longest line accepted, in UTF-8 bytes without CR LF. Twitch lines with every tag stay well under
 * 10 KiB (500 characters of text, up to 4 bytes each, plus a few KiB of tags); anything over 16 KiB
 * is not a Twitch line and is rejected rather than parsed.
 */
export const MAX_LINE_BYTES = 16 * 1024;

/** Prefix of USERNOTICE parameter tags; ChatEvent.params holds them without it. */
export const MSG_PARAM_PREFIX = 'msg-param-';
