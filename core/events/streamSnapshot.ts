import { z } from 'zod';

/** StreamSnapshot v1: one per refresh per live channel, from Helix /streams. */
export const StreamSnapshotSchema = z
  .object({
    v: z.literal(1),
    kind: z.literal('stream_snapshot'),
    /** Unique per (stream, capture): `s:<stream_id>:<captured_at>`. */
    event_id: z.string().min(1),
    channel: z.string().min(1),
    channel_id: z.string().min(1),
    stream_id: z.string().min(1),
    game_id: z.string().nullable(),
    game_name: z.string().nullable(),
    title: z.string(),
    viewer_count: z.number().int().nonnegative(),
    language: z.string().nullable(),
    started_at: z.number().int().nonnegative(),
    is_mature: z.boolean(),
    tags: z.array(z.string()),
    captured_at: z.number().int().nonnegative(),
  })
  .strict();

export type StreamSnapshot = z.infer<typeof StreamSnapshotSchema>;

export function snapshotEventId(streamId: string, capturedAt: number): string {
  return `s:${streamId}:${capturedAt}`;
}
