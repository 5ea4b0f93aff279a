import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ChatEventSchema } from '../../core/events/chatEvent.ts';
import { decodeRecord, RecordEncoder, serializeEvent } from '../../core/events/kinesisRecordCodec.ts';
import { compressRecord, decompressRecord, type RecordCompression } from '../../core/events/recordCompression.ts';

const COMPRESSIONS: RecordCompression[] = [
  { codec: 'brotli', level: 1 },
  { codec: 'gzip', level: 1 },
];

const inflate = (data: Uint8Array): Buffer => {
  const result = decompressRecord(data);
  if (typeof result === 'string') throw new Error(result);
  return result;
};
import { anyString, chatEvent } from '../helpers/arbitraries.ts';
import { PropertyCases } from '../helpers/propertyCases.ts';

describe('Kinesis record codec (property-based)', () => {
  it('generates only events that ChatEventSchema accepts', (t) => {
    const cases = new PropertyCases(t);
    fc.assert(
      fc.property(chatEvent(), (event) => {
        cases.run();
        cases.reached(`kind: ${event.kind}`);
        ChatEventSchema.parse(event);
      }),
      { numRuns: 300 },
    );
    cases.report(
      Object.fromEntries(
        ['message', 'usernotice', 'ban', 'timeout', 'clearchat', 'delete', 'roomstate', 'notice'].map((kind) => [`kind: ${kind}`, 10]),
      ),
    );
  });

  it('round-trips any batch of valid events in order, with no rejects, in either compression', (t) => {
    const cases = new PropertyCases(t);
    fc.assert(
      fc.property(fc.array(chatEvent(), { maxLength: 60, size: 'max' }), fc.constantFrom(...COMPRESSIONS), (events, compression) => {
        cases.run();
        cases.reached(`${compression.codec}, 10 events or more`, events.length >= 10);
        cases.reached('an empty batch', events.length === 0);
        // Act
        const records = new RecordEncoder({ compression }).encode(events);
        const decoded = records.map((record) => decodeRecord(record.data));
        // Assess
        assert.deepEqual(
          decoded.flatMap((d) => d.rejects),
          [],
        );
        assert.deepStrictEqual(
          decoded.flatMap((d) => d.events),
          events,
        );
        assert.equal(
          records.reduce((sum, r) => sum + r.eventCount, 0),
          events.length,
        );
      }),
      { numRuns: 100 },
    );
    cases.report({ 'brotli, 10 events or more': 10, 'gzip, 10 events or more': 10 });
  });

  it('splits records at a small maxBytes so that none exceeds it, losing and reordering nothing', (t) => {
    const cases = new PropertyCases(t);
    fc.assert(
      fc.property(
        fc.array(chatEvent(), { minLength: 1, maxLength: 120 }),
        fc.integer({ min: 1024, max: 8192 }),
        fc.integer({ min: 256, max: 8192 }),
        (events, maxBytes, targetBytes) => {
          // Prepare: a single event bigger than the cap cannot fit any record (the encoder throws for it).
          fc.pre(
            events.every((event) => compressRecord(Buffer.from(`${serializeEvent(event)}\n`), COMPRESSIONS[0]!).length <= maxBytes - 64),
          );
          // Act
          const records = new RecordEncoder({ maxBytes, targetBytes }).encode(events);
          cases.run();
          cases.reached('a batch split into several records', records.length > 1);
          // Assess
          for (const record of records) assert.ok(record.data.length <= maxBytes, `record of ${record.data.length} bytes > ${maxBytes}`);
          const decoded = records.map((record) => decodeRecord(record.data));
          assert.deepEqual(
            decoded.flatMap((d) => d.rejects),
            [],
          );
          assert.deepStrictEqual(
            decoded.flatMap((d) => d.events),
            events,
          );
        },
      ),
      { numRuns: 60 },
    );
    cases.report({ 'a batch split into several records': 10 });
  });

  it('uses several records when the batch compresses to more than maxBytes', () => {
    // Prepare: incompressible text so that the batch cannot fit one small record.
    const events = fc.sample(chatEvent(), { numRuns: 200, seed: 42 });
    const maxBytes = 2048;
    const whole = compressRecord(Buffer.from(events.map(serializeEvent).join('\n') + '\n'), COMPRESSIONS[0]!).length;
    assert.ok(whole > maxBytes * 2, `sample batch compresses to only ${whole} bytes`);
    // Act
    const records = new RecordEncoder({ maxBytes }).encode(events);
    // Assess
    assert.ok(records.length >= Math.ceil(whole / maxBytes), `${records.length} records for ${whole} compressed bytes`);
    assert.ok(records.every((record) => record.data.length <= maxBytes));
    assert.deepStrictEqual(
      records.flatMap((record) => decodeRecord(record.data).events),
      events,
    );
  });
  it('compresses exactly the UTF-8 NDJSON of the lines appended, across buffer growth and flushes', (t) => {
    const cases = new PropertyCases(t);
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.oneof(anyString(80), fc.string({ unit: 'grapheme', maxLength: 30_000, size: 'max' })), { maxLength: 30 }), {
          maxLength: 4,
        }),
        fc.constantFrom(...COMPRESSIONS),
        (groups, compression) => {
          // Prepare: one encoder reused for several groups, as the producer reuses it
          const encoder = new RecordEncoder({ compression });
          cases.run();
          cases.reached(
            'a group past the 64 KiB starting buffer',
            groups.some((lines) => Buffer.byteLength(lines.join('\n')) > 64 * 1024),
          );
          cases.reached('several non-empty groups through one encoder', groups.filter((lines) => lines.length > 0).length > 1);
          cases.reached(
            'a lone surrogate',
            groups.some((lines) => lines.some((line) => line !== Buffer.from(line).toString())),
          );
          for (const lines of groups) {
            // Act
            for (const line of lines) encoder.append(line);
            const pending = encoder.pendingBytes;
            const records = encoder.flush();
            // Assess: what Buffer.from would have encoded (lone surrogates become U+FFFD either way)
            const expected = lines.length === 0 ? Buffer.alloc(0) : Buffer.from(`${lines.join('\n')}\n`);
            assert.equal(pending, expected.length);
            assert.deepEqual(Buffer.concat(records.map((r) => inflate(r.data))), expected);
            assert.equal(
              records.reduce((n, r) => n + r.eventCount, 0),
              lines.length,
            );
            assert.equal(encoder.pendingLines, 0);
          }
        },
      ),
      { numRuns: 60 },
    );
    cases.report({
      'a group past the 64 KiB starting buffer': 10,
      'several non-empty groups through one encoder': 10,
      'a lone surrogate': 5,
    });
  });
});
