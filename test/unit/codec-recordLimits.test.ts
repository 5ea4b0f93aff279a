import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { CodecError } from '../../core/errors.ts';
import { KINESIS_MAX_RECORD_BYTES, RecordEncoder } from '../../core/events/kinesisRecordCodec.ts';
import { compressRecord, decompressRecord, type RecordCompression } from '../../core/events/recordCompression.ts';

/** Kinesis refuses a record whose data is over 1 MiB; written out so that a changed constant shows. */
const KINESIS_LIMIT = 1024 * 1024;
const BROTLI: RecordCompression = { codec: 'brotli', level: 2 };

/** Lines that barely compress (random base64 in a JSON string), so compressed size tracks input size. */
const incompressibleLines = (count: number, chars: number) =>
  Array.from({ length: count }, () => JSON.stringify(randomBytes(Math.ceil((chars * 3) / 4)).toString('base64')));
const ndjson = (lines: readonly string[]) => Buffer.from(`${lines.join('\n')}\n`);

function encodeAll(encoder: RecordEncoder, lines: readonly string[]) {
  for (const line of lines) encoder.append(line);
  return encoder.flush();
}

function assertSameLines(records: readonly { data: Buffer }[], lines: readonly string[]) {
  const inflated = Buffer.concat(
    records.map((r) => {
      const data = decompressRecord(r.data);
      if (typeof data === 'string') throw new Error(data);
      return data;
    }),
  );
  assert.deepEqual(inflated, ndjson(lines), 'lines lost, changed or reordered');
}

describe('Kinesis record size limits', () => {
  it('never writes a record over the Kinesis 1 MiB limit, whatever cap and target it is given', () => {
    assert.equal(KINESIS_MAX_RECORD_BYTES, KINESIS_LIMIT);
    // Prepare: 3 MiB of lines that compress to well over 1 MiB, pending as one group
    const lines = incompressibleLines(3000, 1000);
    for (const options of [{}, { maxBytes: 4 * KINESIS_LIMIT, targetBytes: 4 * KINESIS_LIMIT }]) {
      // Act
      const records = encodeAll(new RecordEncoder({ ...options, compression: BROTLI }), lines);
      // Assess
      const sizes = records.map((r) => r.data.length);
      assert.ok(records.length >= 3, `${records.length} records (${sizes.join(', ')} bytes) for 3 MiB of incompressible lines`);
      assert.ok(
        sizes.every((s) => s <= KINESIS_LIMIT),
        `options ${JSON.stringify(options)}: record sizes ${sizes.join(', ')}`,
      );
      assertSameLines(records, lines);
    }
  });

  it('keeps a group that compresses to exactly the cap in one record, and splits it one byte below', () => {
    // Prepare: the exact compressed size of one group (compression is deterministic)
    const lines = incompressibleLines(64, 200);
    const exact = compressRecord(ndjson(lines), BROTLI).length;
    // Act
    const atCap = encodeAll(new RecordEncoder({ maxBytes: exact, compression: BROTLI }), lines);
    const belowCap = encodeAll(new RecordEncoder({ maxBytes: exact - 1, compression: BROTLI }), lines);
    // Assess
    assert.deepEqual(
      atCap.map((r) => r.data.length),
      [exact],
    );
    assert.ok(belowCap.length >= 2, `a ${exact}-byte group was kept whole under a ${exact - 1}-byte cap`);
    assert.ok(
      belowCap.every((r) => r.data.length <= exact - 1),
      `record sizes ${belowCap.map((r) => r.data.length).join(', ')} over ${exact - 1}`,
    );
    assertSameLines(belowCap, lines);
  });

  it('refuses one event that cannot fit any record, with a CodecError naming the sizes', () => {
    // Prepare
    const encoder = new RecordEncoder({ maxBytes: 4096, compression: BROTLI });
    encoder.append(incompressibleLines(1, 8000)[0]!);
    // Act + Assess
    assert.throws(
      () => encoder.flush(),
      (error: unknown) => error instanceof CodecError && /over the 4096-byte record limit/.test(error.message),
    );
  });
});
