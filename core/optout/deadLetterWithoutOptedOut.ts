import type { OptOutMatcher } from './optOutMatcher.ts';
import { recordWithoutOptedOut } from './recordWithoutOptedOut.ts';

export interface DeadLetterRewrite {
  /** The item's new text; null when nothing of it is left (the item is deleted). */
  readonly text: string | null;
  /** Entries and events left out (a whole record counts its events). */
  readonly removed: number;
}

interface InvocationRecord {
  payload?: unknown;
  [field: string]: unknown;
}

interface PayloadRecord {
  kinesis?: { data?: string; [field: string]: unknown };
  [field: string]: unknown;
}

/** A whole record's base64 data without whom `who` names: unchanged (undefined), rewritten, or gone (null). */
function base64Without(base64: string, who: OptOutMatcher): { data: string | null; removed: number } | undefined {
  const rewritten = recordWithoutOptedOut(Buffer.from(base64, 'base64'), who);
  if (rewritten === undefined) return undefined;
  return { data: rewritten.data === null ? null : rewritten.data.toString('base64'), removed: rewritten.removed };
}

/** Lambda's S3 on-failure object (one JSON document, the batch as `payload`), its records rewritten one by one. */
function invocationWithout(doc: InvocationRecord, who: OptOutMatcher): DeadLetterRewrite | undefined {
  const asText = typeof doc.payload === 'string';
  const payload = (asText ? JSON.parse(doc.payload as string) : doc.payload) as { Records?: PayloadRecord[] } | undefined;
  const records = payload?.Records;
  if (!Array.isArray(records)) return undefined;
  let removed = 0;
  const kept: PayloadRecord[] = [];
  for (const record of records) {
    const data = record.kinesis?.data;
    const rewritten = typeof data === 'string' ? base64Without(data, who) : undefined;
    if (rewritten === undefined) kept.push(record);
    else {
      removed += rewritten.removed;
      if (rewritten.data !== null) kept.push({ ...record, kinesis: { ...record.kinesis, data: rewritten.data } });
    }
  }
  if (removed === 0) return undefined;
  if (kept.length === 0) return { text: null, removed };
  const newPayload = { ...payload, Records: kept };
  return { text: JSON.stringify({ ...doc, payload: asText ? JSON.stringify(newPayload) : newPayload }), removed };
}

/**
 * One dead-letter item without what names an opted-out user or channel (issue 18), in any shape
 * readDeadLetterItem reads: Lambda's on-failure invocation record and our on-failure entries hold
 * whole Kinesis records (base64 of compressed data), decoded, filtered and encoded again
 * (recordWithoutOptedOut.ts); a per-line entry (a rejected IRC line, an event as JSON) is left
 * out whole when its text names them. Undefined when nothing in it does.
 */
export function deadLetterWithoutOptedOut(text: string, who: OptOutMatcher): DeadLetterRewrite | undefined {
  if (who.empty) return undefined;
  const trimmed = text.trim();
  if (trimmed.startsWith('{') && !trimmed.includes('\n')) {
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch {
      doc = undefined;
    }
    if (doc !== null && typeof doc === 'object' && 'payload' in doc) return invocationWithout(doc, who);
  }
  const lines = trimmed.split('\n').filter((l) => l !== '');
  const kept: string[] = [];
  let removed = 0;
  for (const line of lines) {
    let entry: { line?: unknown; lineNumber?: unknown } | undefined;
    try {
      entry = JSON.parse(line) as { line?: unknown; lineNumber?: unknown };
    } catch {
      entry = undefined;
    }
    const inner = typeof entry?.line === 'string' ? entry.line : undefined;
    if (inner !== undefined && entry?.lineNumber === 0 && !inner.trimStart().startsWith('{')) {
      const rewritten = base64Without(inner, who);
      if (rewritten === undefined) kept.push(line);
      else {
        removed += rewritten.removed;
        if (rewritten.data !== null) kept.push(JSON.stringify({ ...entry, line: rewritten.data }));
      }
    } else if (who.line(inner ?? line)) removed++;
    else kept.push(line);
  }
  if (removed === 0) return undefined;
  return { text: kept.length === 0 ? null : `${kept.join('\n')}\n`, removed };
}
