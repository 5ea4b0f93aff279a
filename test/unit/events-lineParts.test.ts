import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { lineParts } from '../../core/events/lineParts.ts';
import { lineValues } from '../../core/events/lineTemplate.ts';
import { paramsOfTags, rebuildLine, tagsJsonOfLine, tagsOfLine } from '../../core/events/rebuildLine.ts';
import { normalizeLine } from '../../core/irc/normalizeLine.ts';
import { createChannelCatalog } from '../../services/twitch-sim/createChannelCatalog.ts';
import { createTrafficGenerator } from '../../services/twitch-sim/createTrafficGenerator.ts';
import { DEFAULT_MIX } from '../../services/twitch-sim/resolveSimulatorOptions.ts';
import type { GeneratedLine } from '../../services/twitch-sim/types.ts';
import { makeChatEvents } from '../helpers/chatEvents.ts';
import { lineMutator } from '../helpers/lineMutator.ts';

const RECEIVED_AT = 1_700_000_000_000;
const corpus = (url: URL) =>
  readFileSync(url, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
const realLines = corpus(new URL('../fixtures/irc/irc-real.txt', import.meta.url));

function simulatorLines(seed: number, draws: number): string[] {
  const catalog = createChannelCatalog({ seed, channels: 200, channelNames: [], zipfExponent: 1, maxViewers: 100_000, now: RECEIVED_AT });
  const generator = createTrafficGenerator({ seed, catalog, mix: DEFAULT_MIX, maxGiftWave: 50, sharedChatFraction: 0.2 });
  const out: GeneratedLine[] = [];
  for (let i = 0; i < draws; i++) generator.generate(catalog.sample((i * 0.6180339887) % 1), RECEIVED_AT + i, out);
  return out.map((l) => l.line);
}

interface Tally {
  events: number;
  residual: number;
  templates: Set<string>;
}

/** Stores and rebuilds the event's line and tags the way a sink does; fails on the first difference. */
function roundTrip(e: ChatEvent, tally: Tally, context: string): void {
  const parts = lineParts(e);
  tally.events++;
  if (parts.residual !== null) tally.residual++;
  else tally.templates.add(parts.template!);
  assert.equal(parts.residual === null, parts.template !== null, context);
  const raw = rebuildLine(parts.template, parts.extras, parts.residual, lineValues(e));
  assert.equal(raw, e.raw, context);
  const tags = tagsOfLine(raw);
  assert.deepEqual(tags, e.tags, context);
  assert.deepEqual(tagsJsonOfLine(raw), { tags: JSON.stringify(e.tags), params: JSON.stringify(e.params) }, context);
  assert.deepEqual(paramsOfTags(tags), e.params, context);
}

function eventsOf(lines: readonly string[]): ChatEvent[] {
  const events: ChatEvent[] = [];
  for (const line of lines) {
    const result = normalizeLine(line, RECEIVED_AT);
    if (result.type === 'event') events.push(result.event);
  }
  return events;
}

const newTally = (): Tally => ({ events: 0, residual: 0, templates: new Set() });

describe('line parts: every raw line comes back byte for byte', () => {
  it('rebuilds every event line of the real-line corpora, nearly all from a template', () => {
    const tally = newTally();
    for (const e of eventsOf(realLines)) roundTrip(e, tally, e.raw);
    assert.ok(tally.events > 100, `${tally.events} events`);
    assert.ok(tally.residual / tally.events < 0.05, `residual share ${tally.residual}/${tally.events}`);
  });

  it('rebuilds 10,000 random mutations of real lines', () => {
    const next = lineMutator(realLines, 13);
    const tally = newTally();
    for (let i = 0; i < 10_000; i++) {
      const line = next();
      const result = normalizeLine(line, RECEIVED_AT);
      if (result.type === 'event') roundTrip(result.event, tally, `mutation ${i}: ${JSON.stringify(line.slice(0, 200))}`);
    }
    assert.ok(tally.events > 2000, `${tally.events} mutated lines were events`);
  });

  it("rebuilds the simulator's traffic with at most 1 % stored whole and few templates", (t) => {
    const tally = newTally();
    for (const e of eventsOf(simulatorLines(5, 30_000))) roundTrip(e, tally, e.raw);
    const share = tally.residual / tally.events;
    t.diagnostic(`simulator: ${tally.events} events, residual share ${share.toFixed(5)}, ${tally.templates.size} templates`);
    assert.ok(share <= 0.01, `residual share ${share}`);
    assert.ok(tally.templates.size < tally.events / 50, `${tally.templates.size} templates`);
  });

  it('rebuilds events not made by the normalizer (the bench factory: hostile text, /me flag without the wrapper)', () => {
    const tally = newTally();
    for (const e of makeChatEvents(5000, { seed: 3, hostileShare: 0.2 })) {
      const parts = lineParts(e);
      assert.equal(rebuildLine(parts.template, parts.extras, parts.residual, lineValues(e)), e.raw);
      tally.events++;
      if (parts.residual !== null) tally.residual++;
    }
    assert.ok(tally.residual / tally.events < 0.01, `residual ${tally.residual}`);
  });

  it('keeps a line whose values hold the template markers whole', () => {
    const e = eventsOf(['@id=1;room-id=1;tmi-sent-ts=1 :a!a@a.tmi.twitch.tv PRIVMSG #c :x\x1fay\x1ez'])[0]!;
    const parts = lineParts(e);
    assert.deepEqual(parts, { template: null, extras: '', residual: e.raw });
  });

  it('takes values from the columns: a typical chat line keeps only what no column holds', () => {
    const line =
      '@badge-info=;badges=vip/1;color=#FF0000;display-name=Ab\\sc;emotes=;id=0e0e0e0e-0000-4000-8000-000000000000;room-id=11;tmi-sent-ts=1700000000001;user-id=22;client-nonce=abc :ab!ab@ab.tmi.twitch.tv PRIVMSG #chan :\x01ACTION waves\x01';
    const e = eventsOf([line])[0]!;
    const parts = lineParts(e);
    assert.equal(parts.residual, null);
    assert.equal(parts.extras, 'abc');
    assert.equal(
      parts.template,
      '@badge-info=;badges=\x1fn;color=\x1fo;display-name=\x1fF;emotes=;id=\x1fa;room-id=\x1fc;tmi-sent-ts=\x1fp;user-id=\x1fe;client-nonce=\x1e :\x1fd!\x1fd@\x1fd.tmi.twitch.tv PRIVMSG #\x1fb :\x01ACTION \x1fj\x01',
    );
  });

  it('gives tags and params JSON equal to the parsed objects for awkward tag sections', () => {
    const lines = [
      '@b=y;1=x;1a=z :u!u@u.tmi.twitch.tv PRIVMSG #c :t',
      '@a=1;b=2;a=3 :u!u@u.tmi.twitch.tv PRIVMSG #c :t',
      '@msg-param-b=c;msg-param-1=a;msg-id=sub :tmi.twitch.tv USERNOTICE #c',
      '@msg-param-__proto__=x;msg-param-y=z :tmi.twitch.tv USERNOTICE #c',
      '@a"b=1;c=\\s\\:\\\\"é😀;;d;e= :u!u@u.tmi.twitch.tv PRIVMSG #c :t',
      '@__proto__=p;x=\\ :u!u@u.tmi.twitch.tv PRIVMSG #c :t',
    ];
    for (const line of lines) {
      const tags = tagsOfLine(line)!;
      assert.deepEqual(tagsJsonOfLine(line), { tags: JSON.stringify(tags), params: JSON.stringify(paramsOfTags(tags)) }, line);
    }
  });
});
