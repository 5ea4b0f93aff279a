import type { ChatEventHub } from '../../core/read/chatEventHub.ts';
import type { Sink } from '../../core/sinks/types.ts';

/**
 * The local consumer's sink, telling the read API's live tails of each batch once it is stored:
 * "from the stream" without a second reader of it. A failed write publishes nothing (the batch
 * comes again); a retried batch's events are published once (the hub remembers recent ids).
 */
export function publishingSink(sink: Sink, hub: ChatEventHub): Sink {
  return {
    name: sink.name,
    migrate: () => sink.migrate(),
    query: (sql, params) => sink.query(sql, params),
    close: () => sink.close(),
    async write(events) {
      const result = await sink.write(events);
      hub.publish(events);
      return result;
    },
  };
}
