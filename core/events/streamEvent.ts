import { z } from 'zod';
import { ChatEventSchema } from './chatEvent.ts';
import { StreamSnapshotSchema } from './streamSnapshot.ts';

/** Anything that travels on the Kinesis stream: a chat event or a stream snapshot. */
export const StreamEventSchema = z.union([ChatEventSchema, StreamSnapshotSchema]);
export type StreamEvent = z.infer<typeof StreamEventSchema>;

export function isStreamSnapshot(event: StreamEvent): event is z.infer<typeof StreamSnapshotSchema> {
  return event.kind === 'stream_snapshot';
}
