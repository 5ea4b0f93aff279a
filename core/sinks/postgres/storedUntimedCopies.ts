import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { ChatEvent } from '../../events/chatEvent.ts';
import { encodeEventId } from '../../events/eventKey.ts';
import { contentCopiesIn, contentLookup, UNTIMED_COPY_MS, type UntimedEvent } from '../untimedCopies.ts';
import { ROWS } from './postgresLayout.ts';

const LOCK = 'SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k';
const STORED = `SELECT event_uuid::text AS uuid FROM ${ROWS}
 WHERE event_uuid = ANY($1::uuid[]) AND sent_at BETWEEN $2::timestamptz AND $3::timestamptz`;
const UNTIMED_ROWS = `SELECT event_id, raw, (extract(epoch FROM sent_at) * 1000)::bigint AS ms FROM chat_events
 WHERE channel = ANY($1::text[]) AND kind = ANY($2::text[]) AND sent_at BETWEEN $3::timestamptz AND $4::timestamptz`;

/**
 * Lock buckets: a batch takes at most this many advisory locks, whatever its channels (each lock
 * takes a slot of the server's shared lock table: one per channel of a 20,000-channel batch ran
 * it out of shared memory).
 */
const LOCK_BUCKETS = 32;

/** The advisory lock key of a channel's bucket for untimed copies. */
function lockKey(channel: string): number {
  return 0x706f6700 + (createHash('md5').update(channel).digest().readUInt32BE(0) % LOCK_BUCKETS);
}

/**
 * The untimed events of a batch (untimedCopies.ts) that already have a copy stored, under any of
 * their ids within UNTIMED_COPY_MS of their sent_at. The unique key (event_uuid, sent_at) cannot
 * catch such a copy: each replica's has its own sent_at. So the writer first takes a transaction
 * lock per bucket of these events' channels, in one global order (no two writers wait on each other in a
 * cycle): a writer holding a copy of the same line waits until this one commits, then finds its
 * row. Copies by content (an orphan's, untimedCopies.ts) are looked for among the stored untimed
 * rows of the same channels and kinds. Call first thing in the write's transaction.
 */
export async function storedUntimedCopies(client: pg.ClientBase, untimed: readonly UntimedEvent[]): Promise<Set<ChatEvent>> {
  const copies = new Set<ChatEvent>();
  if (untimed.length === 0) return copies;
  const keys = [...new Set(untimed.map((u) => lockKey(u.event.channel)))].sort((a, b) => a - b);
  await client.query(LOCK, [keys]);
  let lo = Infinity;
  let hi = -Infinity;
  for (const { event } of untimed) {
    if (event.sent_at < lo) lo = event.sent_at;
    if (event.sent_at > hi) hi = event.sent_at;
  }
  const uuids = untimed.map((u) => u.ids.map((id) => encodeEventId(id).uuid));
  const { rows } = await client.query<{ uuid: string }>(STORED, [
    [...new Set(uuids.flat())],
    new Date(lo - UNTIMED_COPY_MS).toISOString(),
    new Date(hi + UNTIMED_COPY_MS).toISOString(),
  ]);
  const stored = new Set(rows.map((r) => r.uuid));
  untimed.forEach((u, i) => {
    if (uuids[i]!.some((uuid) => stored.has(uuid))) copies.add(u.event);
  });
  const lookup = contentLookup(untimed);
  if (lookup !== null) {
    const { rows: untimedRows } = await client.query<{ event_id: string; raw: string; ms: string }>(UNTIMED_ROWS, [
      lookup.channels,
      lookup.kinds,
      new Date(lookup.lo).toISOString(),
      new Date(lookup.hi).toISOString(),
    ]);
    const rows = untimedRows.map((r) => ({ eventId: r.event_id, raw: r.raw, receivedAt: Number(r.ms) }));
    for (const event of contentCopiesIn(untimed, rows)) copies.add(event);
  }
  return copies;
}
