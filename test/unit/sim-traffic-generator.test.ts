import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createChannelCatalog } from '../../services/twitch-sim/createChannelCatalog.ts';
import { createTrafficGenerator } from '../../services/twitch-sim/createTrafficGenerator.ts';
import { DEFAULT_MIX } from '../../services/twitch-sim/resolveSimulatorOptions.ts';
import type { GeneratedLine } from '../../services/twitch-sim/types.ts';

const NOW = 1_700_000_000_000;

function generate(seed: number, draws: number, channels = 50): GeneratedLine[] {
  const catalog = createChannelCatalog({ seed, channels, channelNames: [], zipfExponent: 1, maxViewers: 100_000, now: NOW });
  const generator = createTrafficGenerator({ seed, catalog, mix: DEFAULT_MIX, maxGiftWave: 50, sharedChatFraction: 0.5 });
  const out: GeneratedLine[] = [];
  for (let i = 0; i < draws; i++) generator.generate(catalog.sample((i * 0.6180339887) % 1), NOW + i, out);
  return out;
}

function tagsOf(line: string): Map<string, string> {
  assert.ok(line.startsWith('@'), line);
  return new Map(
    line
      .slice(1, line.indexOf(' '))
      .split(';')
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as [string, string]),
  );
}

function textOf(line: string): string {
  const at = line.indexOf(' :', line.indexOf(' ') + 1);
  return at === -1 ? '' : line.slice(at + 2);
}

describe('the traffic generator', () => {
  it('produces the same lines for the same seed and different lines for another seed', () => {
    const a = generate(1, 2000);
    const b = generate(1, 2000);
    const c = generate(2, 2000);
    assert.deepEqual(a, b);
    assert.notDeepEqual(
      a.map((l) => l.line),
      c.map((l) => l.line),
    );
  });

  it('mixes mostly chat with every other kind of event', () => {
    const lines = generate(3, 30_000);
    const byKind = new Map<string, number>();
    for (const l of lines) byKind.set(l.kind, (byKind.get(l.kind) ?? 0) + 1);
    for (const kind of ['message', 'usernotice', 'ban', 'timeout', 'clearchat', 'delete', 'roomstate', 'notice'])
      assert.ok((byKind.get(kind) ?? 0) > 0, `has ${kind}`);
    assert.ok((byKind.get('message') as number) / lines.length > 0.75, 'chat dominates');
    const subtypes = new Set(lines.filter((l) => l.kind === 'usernotice').map((l) => l.subtype));
    for (const s of ['sub', 'resub', 'subgift', 'submysterygift', 'raid', 'announcement', 'ritual', 'viewermilestone'])
      assert.ok(subtypes.has(s), `has ${s}`);
    assert.ok(
      lines.some((l) => l.kind === 'message' && l.line.includes(';bits=')),
      'has cheers',
    );
    assert.ok(
      lines.some((l) => l.line.includes('reply-parent-msg-id=')),
      'has replies',
    );
    assert.ok(
      lines.some((l) => l.line.includes(':\x01ACTION ')),
      'has /me',
    );
    assert.ok(
      lines.some((l) => l.line.includes('first-msg=1')),
      'has first messages',
    );
    assert.ok(
      lines.some((l) => l.kind === 'message' && l.line.includes('source-room-id=')),
      'has Shared Chat mirrors',
    );
  });

  it('follows a submysterygift with as many subgifts sharing its origin-id', () => {
    const lines = generate(4, 20_000);
    const waves = lines.map((l, i) => [l, i] as const).filter(([l]) => l.subtype === 'submysterygift');
    assert.ok(waves.length > 0);
    for (const [wave, at] of waves) {
      const tags = tagsOf(wave.line);
      const count = Number(tags.get('msg-param-mass-gift-count'));
      const gifts = lines.slice(at + 1, at + 1 + count);
      assert.equal(gifts.length, count);
      for (const gift of gifts) {
        assert.equal(gift.subtype, 'subgift');
        assert.equal(tagsOf(gift.line).get('msg-param-origin-id'), tags.get('msg-param-origin-id'));
      }
    }
  });

  it('writes well-formed lines: unique ids, emote positions that point at the emote, texts up to 500 characters', () => {
    const lines = generate(5, 20_000);
    const ids = lines.flatMap((l) => (l.eventId ? [l.eventId] : []));
    assert.equal(new Set(ids).size, ids.length);
    let withEmotes = 0;
    let longest = 0;
    for (const { line, kind, eventId } of lines) {
      assert.doesNotMatch(line, /[\r\n\0]/);
      if (kind !== 'message') continue;
      const tags = tagsOf(line);
      assert.equal(tags.get('id'), eventId);
      assert.match(tags.get('tmi-sent-ts') ?? '', /^\d{13}$/);
      let text = textOf(line);
      if (text.startsWith('\x01ACTION ')) text = text.slice(8, -1);
      const chars = [...text];
      longest = Math.max(longest, chars.length);
      assert.ok(chars.length <= 520, 'a cheer or reply prefix may push past 500 only slightly');
      assert.equal(text, text.trim(), 'no surrounding whitespace');
      const emotes = tags.get('emotes') ?? '';
      if (emotes === '') continue;
      withEmotes++;
      for (const group of emotes.split('/')) {
        const [, ranges] = group.split(':') as [string, string];
        for (const range of ranges.split(',')) {
          const [start, end] = range.split('-').map(Number) as [number, number];
          const name = chars.slice(start, end + 1).join('');
          assert.ok(name.length > 0 && !name.includes(' '), `emote at ${range} in "${text}"`);
        }
      }
    }
    assert.ok(withEmotes > 100);
    assert.ok(longest > 300, 'some texts are long');
  });

  it('spreads events over channels by Zipf weight', () => {
    const catalog = createChannelCatalog({
      seed: 1,
      channels: 1000,
      channelNames: ['first_one'],
      zipfExponent: 1,
      maxViewers: 100_000,
      now: NOW,
    });
    assert.equal(catalog.channels[0]?.login, 'first_one');
    const hits = new Array<number>(1000).fill(0);
    for (let i = 0; i < 100_000; i++) hits[catalog.sample((i + 0.5) / 100_000)]!++;
    assert.ok(hits[0]! > hits[9]! * 5 && hits[9]! > hits[99]! * 5);
    assert.ok((catalog.channels[0]?.viewers ?? 0) > (catalog.channels[500]?.viewers ?? 0) * 100);
  });
});
