import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';

/**
 * How a Kinesis record's NDJSON is compressed. brotli is the default: at quality 1 it took about
 * 55 % of gzip level 1's CPU on full-event NDJSON (2.8 against 5.2 µs per event) for records
 * about 10 % smaller, and decompresses as fast. gzip stays readable (records written before the
 * switch) and writable (a reader that only has gzip).
 * The default quality is 2, measured on compact chat events (record layout 2) of the simulator's
 * traffic in groups of 2,000 events (bench/ingest.ts seals ~2,000 a record), 2 cores shared:
 *
 * | quality | bytes/event | µs/event |
 * |---|---:|---:|
 * | 1 | 126.2 | 2.1–2.5 |
 * | 2 | 117.9 | 3.9–4.2 |
 * | 3 | 116.3 | 4.6–7.7 |
 * | 4 | 112.9 | 5.9–14 |
 * | 5 | 107.1 | 11.6–19 |
 *
 * (Full events at quality 1, the layout-1 default: 238.8 bytes, 4.6 µs.) A Kinesis byte costs far
 * more than a CPU microsecond (at $0.08/GB ingested, 8 bytes an event are $0.64 per billion
 * events; a µs an event is ~$0.01 of Fargate vCPU), but the ingester must keep up on one core
 * (`ingest.ratio` >= 0.6): quality 2 compresses in about the time quality 1 took on full events,
 * so the hot path is no slower than before; 3 and up cost more than they save in the ratio's margin.
 */
export interface RecordCompression {
  readonly codec: 'brotli' | 'gzip';
  readonly level: number;
}

export const RECORD_COMPRESSIONS = {
  brotli: { min: 0, max: 11, fallback: 2 },
  gzip: { min: 1, max: 9, fallback: 1 },
} as const;

/**
 * A brotli record starts with 4 bytes of magic, because a brotli stream has no magic of its own:
 * `PGB2` (Poglytics, brotli, layout 2: lines are full events or compact chat events, see
 * compactChatEvent.ts), what the encoder writes; `PGB1` (layout 1: full events only), written
 * before the compact lines and still read. A gzip record is a plain gzip member (0x1f 0x8b).
 * A consumer that knows only PGB1 rejects a PGB2 record whole (dead-lettered, not lost): deploy
 * the consumer before the ingesters.
 */
export const BROTLI_RECORD_MAGIC = Buffer.from('PGB2', 'latin1');
export const BROTLI_RECORD_MAGIC_V1 = Buffer.from('PGB1', 'latin1');
const BROTLI_MAGICS = [BROTLI_RECORD_MAGIC, BROTLI_RECORD_MAGIC_V1];

/**
 * The most a record may inflate to. The encoder's groups stay far below it (its uncompressed
 * budget is capped at MAX_UNCOMPRESSED_GROUP_BYTES); it keeps a corrupt or hostile record from
 * exhausting a consumer's memory.
 */
export const MAX_DECOMPRESSED_RECORD_BYTES = 64 * 1024 * 1024;
export const MAX_UNCOMPRESSED_GROUP_BYTES = 16 * 1024 * 1024;

export function compressRecord(ndjson: Uint8Array, compression: RecordCompression): Buffer {
  if (compression.codec === 'gzip') {
    // memLevel 9: the most hash memory (256 KiB more per call), ~9% less CPU at level 1 than the default 8.
    return gzipSync(ndjson, { level: compression.level, memLevel: 9 });
  }
  const body = brotliCompressSync(ndjson, {
    params: { [constants.BROTLI_PARAM_QUALITY]: compression.level, [constants.BROTLI_PARAM_SIZE_HINT]: ndjson.length },
  });
  const out = Buffer.allocUnsafe(BROTLI_RECORD_MAGIC.length + body.length);
  BROTLI_RECORD_MAGIC.copy(out, 0);
  body.copy(out, BROTLI_RECORD_MAGIC.length);
  return out;
}

/** A record's NDJSON bytes, or the reason it cannot be read. Never throws. */
export function decompressRecord(data: Uint8Array): Buffer | string {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.length >= BROTLI_RECORD_MAGIC.length && BROTLI_MAGICS.some((magic) => bytes.subarray(0, magic.length).equals(magic))) {
    try {
      return brotliDecompressSync(bytes.subarray(BROTLI_RECORD_MAGIC.length), { maxOutputLength: MAX_DECOMPRESSED_RECORD_BYTES });
    } catch (error) {
      return `brotli: ${(error as Error).message}`;
    }
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes, { maxOutputLength: MAX_DECOMPRESSED_RECORD_BYTES });
    } catch (error) {
      return `gzip: ${(error as Error).message}`;
    }
  }
  return 'record is neither brotli (PGB1, PGB2) nor gzip data';
}
