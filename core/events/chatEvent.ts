import { z } from 'zod';

/** The event kinds of ChatEvent v1 (ARCHITECTURE.md, "ChatEvent v1"). */
export const ChatEventKind = {
  Message: 'message',
  UserNotice: 'usernotice',
  Ban: 'ban',
  Timeout: 'timeout',
  ClearChat: 'clearchat',
  Delete: 'delete',
  RoomState: 'roomstate',
  Notice: 'notice',
} as const;
export type ChatEventKind = (typeof ChatEventKind)[keyof typeof ChatEventKind];
export const CHAT_EVENT_KINDS = Object.values(ChatEventKind) as [ChatEventKind, ...ChatEventKind[]];

const nullableString = z.string().nullable();

/** The largest `bits` and `ban_duration_s`: what every sink's integer column holds (Postgres integer). */
export const MAX_INT32 = 2_147_483_647;
const epochMs = z.number().int().nonnegative();

/** ChatEvent v1: the contract between ingester, stream and sinks. */
export const ChatEventSchema = z
  .object({
    v: z.literal(1),
    event_id: z.string().min(1),
    kind: z.enum(CHAT_EVENT_KINDS),
    subtype: nullableString,
    channel: z.string().min(1),
    channel_id: nullableString,
    user_login: nullableString,
    user_id: nullableString,
    display_name: nullableString,
    target_user_login: nullableString,
    target_user_id: nullableString,
    target_message_id: nullableString,
    text: nullableString,
    is_action: z.boolean(),
    system_text: nullableString,
    bits: z.number().int().nonnegative().max(MAX_INT32),
    ban_duration_s: z.number().int().nonnegative().max(MAX_INT32).nullable(),
    badges: z.array(z.string()),
    color: nullableString,
    sent_at: epochMs,
    received_at: epochMs,
    source_channel_id: nullableString,
    source_event_id: nullableString,
    params: z.record(z.string()),
    tags: z.record(z.string()),
    raw: z.string(),
  })
  .strict();

export type ChatEvent = z.infer<typeof ChatEventSchema>;
