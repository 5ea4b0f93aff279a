import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { decodeRecord, RecordEncoder, serializeEvent } from '../../core/events/kinesisRecordCodec.ts';
import {
  BROTLI_RECORD_MAGIC,
  MAX_DECOMPRESSED_RECORD_BYTES,
  MAX_UNCOMPRESSED_GROUP_BYTES,
  compressRecord,
} from '../../core/events/recordCompression.ts';
import { makeChatEvents } from '../helpers/chatEvents.ts';

const ndjson = (lines: readonly string[]) => Buffer.from(`${lines.join('\n')}\n`);

describe('Kinesis record compression', () => {
  it('writes brotli records behind the PGB1 magic by default and gzip records when asked', () => {
    // Prepare
    const events = makeChatEvents(50, { seed: 1 });
    // Act
    const [brotli] = new RecordEncoder().encode(events);
    const [gzip] = new RecordEncoder({ compression: { codec: 'gzip', level: 1 } }).encode(events);
    // Assess
    assert.deepEqual(brotli!.data.subarray(0, 4), BROTLI_RECORD_MAGIC);
    assert.deepEqual(gzip!.data.subarray(0, 2), Buffer.from([0x1f, 0x8b]));
    assert.deepStrictEqual(decodeRecord(brotli!.data), { events, rejects: [] });
    assert.deepStrictEqual(decodeRecord(gzip!.data), { events, rejects: [] });
  });

  it('reads a record gzipped by any other writer (records written before brotli)', () => {
    const events = makeChatEvents(20, { seed: 2 });
    const data = gzipSync(ndjson(events.map(serializeEvent)), { level: 9 });
    assert.deepStrictEqual(decodeRecord(data), { events, rejects: [] });
  });

  it('rejects a truncated brotli record with the reason and keeps its bytes', () => {
    // Prepare
    const whole = compressRecord(ndjson(makeChatEvents(20, { seed: 3 }).map(serializeEvent)), { codec: 'brotli', level: 1 });
    const cut = whole.subarray(0, Math.floor(whole.length / 2));
    // Act
    const decoded = decodeRecord(cut);
    // Assess
    assert.equal(decoded.events.length, 0);
    assert.equal(decoded.rejects.length, 1);
    assert.match(decoded.rejects[0]!.reason, /^brotli: /);
    assert.equal(decoded.rejects[0]!.line, cut.toString('base64'));
  });

  it('names both formats when a record is neither', () => {
    const decoded = decodeRecord(Buffer.from('PGB0 not a record'));
    assert.deepEqual(
      decoded.rejects.map((r) => r.reason),
      ['record is neither brotli (PGB1, PGB2) nor gzip data'],
    );
  });

  it('refuses a record that inflates past the limit instead of exhausting memory', () => {
    // Prepare: 1 MiB of zeros past the limit compresses to a few kilobytes in either format
    const bomb = Buffer.alloc(MAX_DECOMPRESSED_RECORD_BYTES + 1024 * 1024);
    const records = [Buffer.concat([BROTLI_RECORD_MAGIC, brotliCompressSync(bomb)]), gzipSync(bomb, { level: 1 })];
    for (const data of records) {
      assert.ok(data.length < 1024 * 1024, `the bomb is ${data.length} bytes`);
      // Act
      const decoded = decodeRecord(data);
      // Assess
      assert.equal(decoded.events.length, 0);
      assert.match(decoded.rejects[0]!.reason, /^(brotli|gzip): .*/);
    }
  });

  it('caps the uncompressed size of a group however well the data compresses', () => {
    // Prepare: identical lines compress about a thousandfold, which would push the adaptive budget past the cap
    const encoder = new RecordEncoder();
    const line = serializeEvent(makeChatEvents(1, { seed: 4 })[0]!);
    for (let round = 0; round < 20; round++) {
      // Act
      while (encoder.pendingBytes < encoder.uncompressedBudget) encoder.append(line);
      const records = encoder.flush();
      // Assess
      assert.ok(records.every((r) => r.uncompressedBytes <= MAX_UNCOMPRESSED_GROUP_BYTES + line.length + 1));
    }
    assert.equal(encoder.uncompressedBudget, MAX_UNCOMPRESSED_GROUP_BYTES);
  });
});
