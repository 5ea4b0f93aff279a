import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { compactChatEvent, writeCompactChatEvent } from '../../core/events/compactChatEvent.ts';
import { decodeNdjson, decodeRecord, RecordEncoder } from '../../core/events/kinesisRecordCodec.ts';
import { BROTLI_RECORD_MAGIC, BROTLI_RECORD_MAGIC_V1 } from '../../core/events/recordCompression.ts';
import { normalizeLine } from '../../core/irc/normalizeLine.ts';
import { serializeNormalizedUtf8 } from '../../core/irc/serializeNormalized.ts';
import { createLineCapture } from '../../services/ingester/captureLine.ts';
import { createChannelCatalog } from '../../services/twitch-sim/createChannelCatalog.ts';
import { createTrafficGenerator } from '../../services/twitch-sim/createTrafficGenerator.ts';
import { DEFAULT_MIX } from '../../services/twitch-sim/resolveSimulatorOptions.ts';
import type { GeneratedLine } from '../../services/twitch-sim/types.ts';
import { PropertyCases } from '../helpers/propertyCases.ts';

const NOW = 1_700_000_000_000;
const fixtureLines = (url: URL) =>
  readFileSync(url, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
const FIXTURE_LINES = fixtureLines(new URL('../fixtures/irc/irc-real.txt', import.meta.url));
const SHARED_CORPUS = new URL('file:///work/shared/testdata/irc/irc-real.txt');
const CORPUS_LINES = existsSync(SHARED_CORPUS) ? [...FIXTURE_LINES, ...fixtureLines(SHARED_CORPUS)] : FIXTURE_LINES;

/**
 * The ingester's path for `lines`: its line capture (normalizer + EventIdResolver, which gives
 * id-less lines their `h:` ids from the lines around them), each event written as the ingester
 * writes it (writeCompactChatEvent on the line's bytes, which sit inside a larger frame), the
 * records sealed; beside them the events exactly as the ingester held them.
 */
function throughIngester(
  lines: readonly string[],
  receivedAt: (i: number) => number,
  encoder = new RecordEncoder({ targetBytes: 64 * 1024 }),
) {
  const held: ChatEvent[] = [];
  const capture = createLineCapture({
    onEvent: (event, bytes) => {
      held.push(structuredClone(event));
      encoder.appendUtf8(writeCompactChatEvent(event, bytes ?? Buffer.from(event.raw)));
    },
  });
  const frame = Buffer.alloc(1 << 16, 0x3b);
  lines.forEach((line, i) => {
    const length = frame.write(line, 5);
    capture(line, receivedAt(i), 0, frame.subarray(5, 5 + length));
  });
  capture.drain();
  return { held, records: encoder.flush() };
}

function assertRebuilt(lines: readonly string[], receivedAt: (i: number) => number): ChatEvent[] {
  const { held, records } = throughIngester(lines, receivedAt);
  const decoded = records.map((record) => decodeRecord(record.data));
  assert.deepEqual(
    decoded.flatMap((d) => d.rejects),
    [],
  );
  assert.deepStrictEqual(
    decoded.flatMap((d) => d.events),
    held,
  );
  return held;
}

function simulatorLines(seed: number, draws: number): string[] {
  const catalog = createChannelCatalog({ seed, channels: 40, channelNames: [], zipfExponent: 1, maxViewers: 100_000, now: NOW });
  const generator = createTrafficGenerator({ seed, catalog, mix: DEFAULT_MIX, maxGiftWave: 50, sharedChatFraction: 0.3 });
  const out: GeneratedLine[] = [];
  for (let i = 0; i < draws; i++) generator.generate(catalog.sample((i * 0.6180339887) % 1), NOW + i * 7, out);
  return out.map((l) => l.line);
}

/** A real line with a few random edits of IRC-significant characters (escapes, quotes, controls). */
const mutatedRealLine = fc
  .tuple(
    fc.constantFrom(...FIXTURE_LINES),
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.nat({ max: 6 }),
        fc.constantFrom(' ', ';', '=', ':', '@', '\\', '"', '#', '\u0001', '\t', 'é', '🐸', 'id=', 'tmi-sent-ts='),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([line, edits]) =>
    edits.reduce(
      (out, [at, remove, insert]) => out.slice(0, at % (out.length + 1)) + insert + out.slice((at % (out.length + 1)) + remove),
      line,
    ),
  );

describe('compact chat events on the stream (record layout 2)', () => {
  it('rebuilds every event of the real corpus exactly as the ingester had it, h: ids included', () => {
    const held = assertRebuilt(CORPUS_LINES, (i) => NOW + i * 13);
    assert.ok(held.length > 100);
    assert.ok(
      held.some((e) => e.event_id.startsWith('h:')),
      'the corpus must hold id-less lines',
    );
    assert.ok(
      held.some((e) => /["\\]/.test(e.raw)),
      'the corpus must hold lines that JSON escapes',
    );
  });

  it('rebuilds thousands of simulated events of every kind exactly (property over seeds)', (t) => {
    const cases = new PropertyCases(t);
    let events = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 2000 }), (seed, lag) => {
        const held = assertRebuilt(simulatorLines(seed, 1500), (i) => NOW + i * 7 + lag + (i % 5));
        cases.run();
        for (const kind of new Set(held.map((e) => e.kind))) cases.reached(`kind: ${kind}`);
        cases.reached(
          'an id-less line (h: id)',
          held.some((e) => e.event_id.startsWith('h:')),
        );
        events += held.length;
      }),
      { numRuns: 5 },
    );
    assert.ok(events >= 5000, `only ${events} events`);
    cases.report({ 'kind: message': 5, 'kind: usernotice': 5, 'an id-less line (h: id)': 5 });
  });

  it('rebuilds real lines with random edits exactly, on the byte-copy path and the escaped one', (t) => {
    const cases = new PropertyCases(t);
    fc.assert(
      fc.property(fc.array(mutatedRealLine, { minLength: 1, maxLength: 40 }), fc.nat({ max: 10_000 }), (lines, lag) => {
        const held = assertRebuilt(lines, (i) => NOW + lag + i);
        cases.run();
        cases.reached(
          'an event on the byte-copy path',
          held.some((e) => !/["\\\u0000-\u001f]/.test(e.raw)),
        );
        cases.reached(
          'an event on the escaped path',
          held.some((e) => /["\\\u0000-\u001f]/.test(e.raw)),
        );
      }),
      { numRuns: 300 },
    );
    cases.report({ 'an event on the byte-copy path': 100, 'an event on the escaped path': 100 });
  });

  it('writes exactly JSON.stringify of the compact form, and only the raw line, received_at and an h: id', () => {
    const frame = Buffer.alloc(4096, 0x3b);
    for (const line of CORPUS_LINES) {
      const result = normalizeLine(line, NOW);
      if (result.type !== 'event') continue;
      const length = frame.write(line, 3);
      const written = Buffer.from(writeCompactChatEvent(result.event, frame.subarray(3, 3 + length))).toString('utf8');
      assert.equal(written, JSON.stringify(compactChatEvent(result.event)));
      assert.deepEqual(JSON.parse(written), result.event.event_id.startsWith('h:') ? [NOW, line, result.event.event_id] : [NOW, line]);
    }
  });

  it('sends simulated traffic in at most 60 % of the bytes of full events (the tags are not sent twice)', () => {
    const lines = simulatorLines(7, 4000);
    const compact = throughIngester(lines, (i) => NOW + i, new RecordEncoder({ targetBytes: 1024 * 1024 })).records;
    const full = new RecordEncoder({ targetBytes: 1024 * 1024 });
    for (const line of lines) {
      const result = normalizeLine(line, NOW);
      if (result.type === 'event') full.appendUtf8(serializeNormalizedUtf8(result.event, Buffer.from(line)));
    }
    const bytes = (records: { data: Buffer }[]) => records.reduce((sum, r) => sum + r.data.length, 0);
    assert.ok(bytes(compact) <= 0.6 * bytes(full.flush()), `compact ${bytes(compact)} bytes`);
    assert.deepEqual(compact[0]!.data.subarray(0, 4), BROTLI_RECORD_MAGIC);
  });

  it('rejects a compact line that cannot be rebuilt, with the reason, and keeps reading', () => {
    const good = JSON.stringify([NOW, FIXTURE_LINES.find((l) => l.includes(' PRIVMSG '))]);
    const bad = [
      JSON.stringify([NOW, 'PING :tmi.twitch.tv']),
      JSON.stringify([-1, 'x']),
      JSON.stringify([NOW]),
      JSON.stringify([NOW, '@id=1 :x!x@x PRIVMSG #c :hi', 'abc']),
      JSON.stringify([NOW, '@bits=x :u!u@u PRIVMSG #c :hi']),
    ];
    const decoded = decodeNdjson([good, ...bad, good].join('\n'));
    assert.equal(decoded.events.length, 2);
    assert.deepEqual(
      decoded.rejects.map((r) => r.lineNumber),
      [2, 3, 4, 5, 6],
    );
    assert.ok(
      decoded.rejects.every((r) => r.reason.startsWith('invalid compact event: ')),
      JSON.stringify(decoded.rejects),
    );
  });
});

describe('records written before compact events stay readable', () => {
  const expected = FIXTURE_LINES.flatMap((line) => {
    const result = normalizeLine(line, NOW);
    return result.type === 'event' ? [result.event] : [];
  });
  for (const [file, magic] of [
    ['irc-real.pgb1.b64', BROTLI_RECORD_MAGIC_V1],
    ['irc-real.gzip.b64', Buffer.from([0x1f, 0x8b])],
  ] as const) {
    it(`decodes ${file}, made by the layout-1 encoder, to the events it was made from`, () => {
      const data = Buffer.from(readFileSync(new URL(`../fixtures/records/${file}`, import.meta.url), 'utf8'), 'base64');
      assert.deepEqual(data.subarray(0, magic.length), magic);
      assert.deepStrictEqual(decodeRecord(data), { events: expected, rejects: [] });
    });
  }
});
