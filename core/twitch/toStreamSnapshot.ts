import { snapshotEventId, type StreamSnapshot } from '../events/streamSnapshot.ts';
import type { HelixStream } from './schemas.ts';

/** A Helix stream as a StreamSnapshot v1 captured at `capturedAt` (ms). */
export function toStreamSnapshot(stream: HelixStream, capturedAt: number): StreamSnapshot {
  const startedAt = Date.parse(stream.started_at);
  return {
    v: 1,
    kind: 'stream_snapshot',
    event_id: snapshotEventId(stream.id, capturedAt),
    channel: stream.user_login,
    channel_id: stream.user_id,
    stream_id: stream.id,
    game_id: stream.game_id,
    game_name: stream.game_name,
    title: stream.title,
    viewer_count: stream.viewer_count,
    language: stream.language,
    started_at: Number.isFinite(startedAt) && startedAt >= 0 ? startedAt : capturedAt,
    is_mature: stream.is_mature,
    tags: stream.tags,
    captured_at: capturedAt,
  };
}
