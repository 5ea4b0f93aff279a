import type { ChatEvent } from '../events/chatEvent.ts';
import type { StreamSnapshot } from '../events/streamSnapshot.ts';

/** chat_events columns, in table order: the contract's field names. */
export const CHAT_EVENT_COLUMNS = [
  'event_id',
  'v',
  'kind',
  'subtype',
  'channel',
  'channel_id',
  'user_login',
  'user_id',
  'display_name',
  'target_user_login',
  'target_user_id',
  'target_message_id',
  'text',
  'is_action',
  'system_text',
  'bits',
  'ban_duration_s',
  'badges',
  'color',
  'sent_at',
  'received_at',
  'source_channel_id',
  'source_event_id',
  'params',
  'tags',
  'raw',
] as const satisfies readonly (keyof ChatEvent)[];

/** stream_snapshots columns (`v` and `kind` are implied by the table). */
export const SNAPSHOT_COLUMNS = [
  'event_id',
  'channel',
  'channel_id',
  'stream_id',
  'game_id',
  'game_name',
  'title',
  'viewer_count',
  'language',
  'started_at',
  'is_mature',
  'tags',
  'captured_at',
] as const satisfies readonly (keyof StreamSnapshot)[];
