import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ChatEventSchema, type ChatEvent } from '../../core/events/chatEvent.ts';
import { normalizeLine, normalizeLineBytes } from '../../core/irc/normalizeLine.ts';

// The real-line corpus and its expected ChatEvents (test/fixtures/irc/README.md).
const FIXTURES = new URL('../fixtures/irc/', import.meta.url);
const RECEIVED_AT = 1_700_000_000_000;
const rawLines = readFileSync(new URL('irc-real.txt', FIXTURES), 'utf8').split('\n');
const expectedLines = readFileSync(new URL('irc-real.expected.ndjson', FIXTURES), 'utf8').split('\n');
if (rawLines.at(-1) === '') rawLines.pop();
if (expectedLines.at(-1) === '') expectedLines.pop();

type EventIdPattern = { $re: string; $sameAsLine?: number };
type Expected = (Omit<ChatEvent, 'event_id'> & { event_id: string | EventIdPattern }) | null;
const expected: Expected[] = expectedLines.map((line) => JSON.parse(line) as Expected);

/** The event of every line, normalized once (line numbers are 1-based). */
const results = rawLines.map((line) => normalizeLine(line, RECEIVED_AT));
function eventOfLine(lineNumber: number): ChatEvent {
  const result = results[lineNumber - 1];
  assert.ok(result?.type === 'event', `line ${lineNumber} is not an event`);
  return result.event;
}

describe('IRC corpus: every real Twitch line gives the ChatEvent of the contract', () => {
  it('has one expectation per line', () => {
    assert.equal(rawLines.length, 141);
    assert.equal(expected.length, rawLines.length);
  });

  for (let i = 0; i < rawLines.length; i++) {
    const lineNumber = i + 1;
    const want = expected[i] ?? null;
    const title = `line ${lineNumber}: ${rawLines[i]!.slice(0, 70)}`;
    it(want === null ? `ignores protocol ${title}` : `normalizes ${title}`, () => {
      const result = results[i]!;
      if (want === null) {
        assert.equal(result.type, 'ignored', JSON.stringify(result));
        return;
      }
      assert.equal(result.type, 'event', JSON.stringify(result));
      const event = eventOfLine(lineNumber);
      ChatEventSchema.parse(event);
      const { event_id: wantId, ...wantRest } = want;
      const { event_id: gotId, ...gotRest } = event;
      assert.deepStrictEqual(gotRest, wantRest);
      if (typeof wantId === 'string') {
        assert.equal(gotId, wantId);
      } else {
        assert.match(gotId, new RegExp(wantId.$re));
        if (wantId.$sameAsLine !== undefined) assert.equal(gotId, eventOfLine(wantId.$sameAsLine).event_id);
      }
    });
  }

  it('gives distinct hash ids to distinct lines (only the $sameAsLine pairs share one)', () => {
    const sharing = new Set(
      expected.flatMap((want, i) =>
        want !== null && typeof want.event_id === 'object' && want.event_id.$sameAsLine !== undefined
          ? [i + 1, want.event_id.$sameAsLine]
          : [],
      ),
    );
    const hashIds = new Map<string, number>();
    for (let i = 0; i < results.length; i++) {
      const result = results[i]!;
      if (result.type !== 'event' || !result.event.event_id.startsWith('h:') || sharing.has(i + 1)) continue;
      assert.equal(
        hashIds.get(result.event.event_id),
        undefined,
        `line ${i + 1} shares its id with line ${hashIds.get(result.event.event_id)}`,
      );
      hashIds.set(result.event.event_id, i + 1);
    }
  });

  it('gives the same results when the lines arrive as bytes with CR LF', () => {
    for (let i = 0; i < rawLines.length; i++) {
      const fromBytes = normalizeLineBytes(Buffer.from(`${rawLines[i]}\r\n`, 'utf8'), RECEIVED_AT);
      assert.deepStrictEqual(fromBytes, results[i], `line ${i + 1}`);
    }
  });
});
