import { closeSync, fdatasyncSync, openSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { encodeFrames, FRAME_HEADER, readFrames, syncDirectory, type JournalRecord } from './journalFrames.ts';

/** What a journal rewrite does with one record: keep it (itself or a smaller copy) or leave it out (null). */
export type RecordRewriter = (record: JournalRecord) => JournalRecord | null;

export interface SegmentRewrite {
  /** The segment's frames now (0: the file was removed). */
  readonly records: number;
  readonly events: number;
  readonly bytes: number;
  readonly removedRecords: number;
  readonly removedEvents: number;
}

/** Where a rewrite writes before the rename: never a segment name, so a crash's leftover is not read as one. */
export const rewriteTempPath = (path: string) => `${path}.rewrite.tmp`;

/**
 * Rewrites one segment file with each of its frames from `offset` (the frames before it are sent)
 * passed through `rewrite`, or returns undefined when no frame changes and none is skipped. The
 * new frames go to a temporary file, fdatasync, then rename over the segment and a directory
 * fsync: whatever the moment of a crash, the segment on disk is the old one or the whole new one,
 * so nothing the rewrite keeps can be lost. A segment left without frames is removed. A failure
 * removes the temporary file and throws, the segment untouched.
 */
export function rewriteSegment(
  dir: string,
  path: string,
  buffer: Buffer,
  offset: number,
  rewrite: RecordRewriter,
): SegmentRewrite | undefined {
  const frames = readFrames(buffer, offset, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  const kept: JournalRecord[] = [];
  let removedRecords = 0;
  let removedEvents = 0;
  let changed = offset > 0;
  for (const frame of frames) {
    const next = rewrite(frame);
    if (next !== frame) changed = true;
    if (next === null) {
      removedRecords++;
      removedEvents += frame.eventCount;
      continue;
    }
    removedEvents += frame.eventCount - next.eventCount;
    kept.push(next);
  }
  if (!changed) return undefined;
  const bytes = kept.reduce((n, r) => n + FRAME_HEADER + r.data.length, 0);
  const { chunk, events } = encodeFrames(kept, bytes);
  if (kept.length === 0) {
    unlinkSync(path);
    syncDirectory(dir);
    return { records: 0, events: 0, bytes: 0, removedRecords, removedEvents };
  }
  const temp = rewriteTempPath(path);
  try {
    const fd = openSync(temp, 'w');
    try {
      let at = 0;
      while (at < bytes) at += writeSync(fd, chunk, at, bytes - at);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  syncDirectory(dir);
  return { records: kept.length, events, bytes, removedRecords, removedEvents };
}
