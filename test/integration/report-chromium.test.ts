import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { createSink } from '../../core/sinks/createSink.ts';
import { chatEvent, reportFixtureEvents, T0 } from '../helpers/reportFixture.ts';
import { countColour, decodePng } from '../helpers/decodePng.ts';

const CHROMIUM = ['chromium', 'chromium-browser'].find((bin) => spawnSync(bin, ['--version'], { encoding: 'utf8' }).status === 0);
// Locally a missing chromium skips with a reason; in CI (process.env.CI set) the test must run.
const skip =
  CHROMIUM === undefined && !process.env.CI ? 'chromium is not installed (apt-get install -y chromium); CI runs this test' : false;

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'poglytics-report-'));

/** Headless, sandbox-free (containers), and with every host unresolvable: the report must need no network. */
function chromium(args: string[]) {
  const result = spawnSync(
    CHROMIUM ?? 'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      '--host-resolver-rules=MAP * ~NOTFOUND',
      `--user-data-dir=${join(dir, 'profile')}`,
      ...args,
    ],
    { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
  );
  if (result.error) throw result.error;
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

function writeReport(dbPath: string, out: string, ...args: string[]): void {
  const result = spawnSync(process.execPath, [join(root, 'bin/poglytics.js'), 'report', '--out', out, ...args], {
    encoding: 'utf8',
    env: { ...process.env, SINK: 'sqlite', SQLITE_PATH: dbPath },
    timeout: 30_000,
  });
  assert.equal(result.status, 0, result.stderr);
}

type Mark = { series: string; label: string; value: number };

/** The data marks drawn in one chart of a dumped DOM. */
function marks(dom: string, chart: string): Mark[] {
  const start = dom.indexOf(`data-chart="${chart}"`);
  assert.ok(start >= 0, `chart ${chart} was not drawn`);
  const svg = dom.slice(start, dom.indexOf('</svg>', start));
  const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
  return [...svg.matchAll(/<(?:circle|rect|path)\b[^>]*>/g)]
    .map((m) => m[0])
    .filter((tag) => /\bclass="[^"]*\bmark\b/.test(tag))
    .map((tag) => ({ series: attr(tag, 'data-series')!, label: attr(tag, 'data-label')!, value: Number(attr(tag, 'data-value')) }));
}

/** A busier, deterministic afternoon of chat for the README screenshot. */
function demoEvents(): ChatEvent[] {
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const channels = [
    'pogstream',
    'speedrunsam',
    'cozycat',
    'retrorick',
    'chessqueen',
    'lofibeats',
    'valorvic',
    'cookingkim',
    'djnova',
    'artbyada',
  ];
  const events: ChatEvent[] = [];
  for (let minute = 0; minute < 360; minute++) {
    const load = 25 + 20 * Math.sin(minute / 40) + (minute > 250 && minute < 280 ? 60 : 0);
    for (let i = 0; i < load; i++) {
      const c = Math.floor(random() ** 1.8 * channels.length);
      const channel = channels[c]!;
      const sent_at = T0 + minute * 60_000 + Math.floor(random() * 60_000);
      const roll = random();
      if (roll < 0.93)
        events.push(
          chatEvent({
            kind: 'message',
            channel,
            user_login: `viewer${Math.floor(random() * 900)}`,
            text: 'PogChamp',
            bits: random() < 0.01 ? 100 : 0,
            sent_at,
          }),
        );
      else if (roll < 0.955)
        events.push(
          chatEvent({
            kind: 'usernotice',
            channel,
            subtype: ['sub', 'resub', 'resub', 'subgift'][Math.floor(random() * 4)]!,
            user_login: 'fan',
            sent_at,
          }),
        );
      else if (roll < 0.975) events.push(chatEvent({ kind: 'delete', channel, user_login: 'troll', sent_at }));
      else if (roll < 0.99) events.push(chatEvent({ kind: 'timeout', channel, target_user_login: 'troll', ban_duration_s: 600, sent_at }));
      else if (roll < 0.995) events.push(chatEvent({ kind: 'ban', channel, target_user_login: 'troll', sent_at }));
      else events.push(chatEvent({ kind: 'roomstate', channel, sent_at }));
    }
  }
  return events;
}

describe('poglytics report in headless Chromium', { skip }, () => {
  const fixtureDb = join(dir, 'fixture.db');
  const fixtureHtml = join(dir, 'fixture.html');
  let dom = '';

  before(async () => {
    const sink = createSink({ sink: 'sqlite', path: fixtureDb });
    await sink.write(reportFixtureEvents());
    await sink.close();
    writeReport(fixtureDb, fixtureHtml, '--since', '3h');
    dom = chromium(['--dump-dom', `file://${fixtureHtml}`]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one self-contained file that loads nothing from elsewhere', () => {
    const html = readFileSync(fixtureHtml, 'utf8');
    assert.doesNotMatch(html, /<script[^>]+src=|<link\b|<img\b|@import|url\(/i);
    assert.deepEqual([...new Set(html.match(/https?:\/\/[^\s"'<>)]+/g) ?? [])], ['http://www.w3.org/2000/svg']);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  });

  it('renders all five charts without script errors', () => {
    assert.match(dom, /data-charts-rendered="5"/);
    assert.doesNotMatch(dom, /data-chart-error=/);
  });

  it('draws one timeline point per minute with the stored message counts', () => {
    const points = marks(dom, 'timeline');
    assert.equal(points.length, 180); // 10:00 to 12:59, the first to the newest event's minute
    assert.equal(points[0]!.label, new Date(T0 - 120 * 60_000).toISOString());
    const nonZero = points.filter((p) => p.value > 0).map((p) => [(Date.parse(p.label) - T0) / 60_000, p.value]);
    assert.deepEqual(nonZero, [
      [-120, 1],
      [0, 2],
      [1, 1],
      [2, 1],
      [59, 6],
    ]);
  });

  it('draws top channels, event mix, subscriptions and moderation with the expected values', () => {
    const compact = (chart: string) => marks(dom, chart).map((m) => `${m.series}:${m.label}=${m.value}`);
    assert.deepEqual(compact('top-channels'), ['messages:alpha=6', 'messages:bravo=4', 'messages:charlie=1']);
    assert.deepEqual(compact('event-mix'), [
      'events:message=11',
      'events:usernotice=9',
      'events:ban=2',
      'events:timeout=2',
      'events:clearchat=1',
      'events:delete=1',
      'events:notice=1',
      'events:roomstate=1',
    ]);
    assert.deepEqual(compact('subscriptions'), ['subs:alpha=1', 'resubs:alpha=1', 'gifted:alpha=2', 'gifted:bravo=1', 'upgrades:bravo=1']);
    assert.deepEqual(compact('moderation'), ['bans:alpha=1', 'timeouts:alpha=2', 'deletions:alpha=1', 'bans:charlie=1', 'clears:bravo=1']);
  });

  it('takes a screenshot of a busier report (docs/report.png with UPDATE_SCREENSHOT=1)', async () => {
    const db = join(dir, 'demo.db');
    const html = join(dir, 'demo.html');
    const png = join(dir, 'report.png');
    const sink = createSink({ sink: 'sqlite', path: db });
    await sink.write(demoEvents());
    await sink.close();
    writeReport(db, html);
    chromium(['--hide-scrollbars', '--window-size=1100,2060', `--screenshot=${png}`, `file://${html}`]);
    const image = readFileSync(png);
    assert.deepEqual([...image.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'not a PNG');
    assert.ok(image.length > 20_000, `a ${image.length}-byte screenshot is too small to show charts`);
    // The picture itself: the window's size, the page background but no flat page, and the brand colour and
    // several chart colours each covering a visible area (a blank or unstyled page has none).
    const picture = decodePng(image);
    assert.deepEqual([picture.width, picture.height], [1100, 2060]);
    const total = picture.width * picture.height;
    const background = countColour(picture, '#f7f6f9', 3);
    const white = countColour(picture, '#ffffff', 3);
    assert.ok(background > total * 0.05, `the page background covers only ${background} of ${total} pixels`);
    assert.ok(
      Math.max(background, white) < total * 0.9,
      `one flat colour covers ${Math.max(background, white)} of ${total} pixels: a blank page`,
    );
    const chartColours = ['#6441a5', '#2a9d8f', '#e9c46a', '#f4a261', '#e76f51'].filter((hex) => countColour(picture, hex) > 300);
    assert.ok(chartColours.includes('#6441a5'), 'the brand colour (headings, the first series) is not in the picture');
    assert.ok(chartColours.length >= 3, `only ${chartColours.join(', ') || 'no'} chart colours are drawn`);
    if (process.env.UPDATE_SCREENSHOT === '1') {
      mkdirSync(join(root, 'docs'), { recursive: true });
      copyFileSync(png, join(root, 'docs/report.png'));
    }
  });
});
