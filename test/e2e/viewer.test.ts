/// <reference lib="dom" />
// The functions given to page.evaluate run in the browser.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { get, startReadApi, type ReadApiRun } from '../helpers/readApiFixture.ts';
import { CHROMIUM, launchChromium, offlineContext, type OfflineContext } from '../helpers/viewerBrowser.ts';
import { otherChannelEvents, VIEWER_CHANNEL, viewerDay, type ViewerDay } from '../helpers/viewerDataset.ts';

/**
 * The web log viewer in a real headless Chromium against the real read service, on an SQLite
 * database holding one channel-day of 100,000 events written through the sink: pick the channel,
 * open the day, scroll to its end, search, follow a permalink, switch theme, use it on a phone.
 * Nothing leaves loopback: emote images are answered by the test, any other address is refused.
 * Screenshots go to docs/ (the README shows them).
 */
const COUNT = 100_000;
const DAY_ROUTE = `#c=${VIEWER_CHANNEL}&d=2024-02-01`;
const DOCS = new URL('../../docs/', import.meta.url).pathname;

let day: ViewerDay;
let api: ReadApiRun;
let browser: Browser;
let desktop: OfflineContext;
let page: Page;

before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  day = viewerDay(COUNT);
  api = await startReadApi([...day.events, ...otherChannelEvents()]);
  browser = await launchChromium();
  desktop = await offlineContext(browser, api.url, { viewport: { width: 1000, height: 640 }, colorScheme: 'dark' });
  // A missing line or control fails in seconds, not at Playwright's default 30 s.
  desktop.context.setDefaultTimeout(15_000);
  page = await desktop.context.newPage();
});

after(async () => {
  await browser?.close();
  await api?.close();
});

/** The status line once the whole log has arrived. */
async function loaded(p: Page): Promise<string> {
  await p.waitForSelector('#status[data-state="done"]', { timeout: 60_000 });
  return p.textContent('#status').then((t) => t ?? '');
}

/** Whether line `id` is drawn and lies within the visible part of the log. */
function inView(p: Page, id: string): Promise<boolean> {
  return p.evaluate((id) => {
    const row = document.querySelector(`.line[data-id="${id}"]`);
    if (!row) return false;
    const box = row.getBoundingClientRect();
    const view = document.getElementById('log')!.getBoundingClientRect();
    return box.height > 0 && box.top >= view.top - 1 && box.bottom <= view.bottom + 1;
  }, id);
}

it('serves the built viewer at / with its hashed assets, offline but for emotes', async () => {
  const index = await get(`${api.url}/`);
  assert.equal(index.status, 200);
  assert.match(String(index.headers['content-type']), /^text\/html/);
  const script = /src="(\/assets\/main-[A-Z0-9]+\.js)"/.exec(index.text)?.[1];
  assert.ok(script, 'index.html names the built script');
  const asset = await get(`${api.url}${script}`, { 'Accept-Encoding': 'gzip' });
  assert.equal(asset.status, 200);
  assert.equal(asset.headers['content-encoding'], 'gzip');
  assert.match(String(asset.headers['cache-control']), /immutable/);
  assert.match(String(index.headers['content-security-policy']), /img-src 'self' data: https:\/\/static-cdn\.jtvnw\.net;/);
  assert.equal((await get(`${api.url}/assets/nothing.js`)).status, 404);
});

it('picks the channel from the autocomplete list and opens its day', async () => {
  await page.goto(`${api.url}/`);
  await page.waitForFunction(() => document.querySelectorAll('#channels option').length === 2);
  const offered = await page.$$eval('#channels option', (options) => options.map((o) => (o as HTMLOptionElement).value));
  assert.deepEqual(offered, ['otherchan', VIEWER_CHANNEL]);
  await page.fill('#channel', VIEWER_CHANNEL);
  await page.dispatchEvent('#channel', 'change');
  await page.waitForSelector('#date option[value="2024-02-01"]', { state: 'attached' });
  await page.selectOption('#date', '2024-02-01');
  await page.waitForURL((url) => url.hash === DAY_ROUTE);
  assert.match(await loaded(page), /^100,000 lines/);
  assert.equal(await inView(page, day.ids.emote), true, 'the first lines are shown');
});

it('shows each kind as Twitch does: badges, name colours, emotes, /me, cards, removed messages', async () => {
  const emote = page.locator(`.line[data-id="${day.ids.emote}"]`);
  assert.deepEqual(await emote.locator('.badge').allTextContents(), ['streamer', 'sub 0']);
  assert.equal(await emote.locator('.name').evaluate((n) => getComputedStyle(n).color), 'rgb(145, 70, 255)');
  assert.deepEqual(
    await emote.locator('img.emote').evaluateAll((imgs) => imgs.map((i) => [(i as HTMLImageElement).alt, (i as HTMLImageElement).src])),
    [
      ['Kappa', 'https://static-cdn.jtvnw.net/emoticons/v2/25/default/dark/1.0'],
      ['PogChamp', 'https://static-cdn.jtvnw.net/emoticons/v2/88/default/dark/1.0'],
    ],
  );
  assert.equal(await page.locator('.k-action .text').first().textContent(), 'waves at everyone');
  assert.deepEqual(await page.locator('.k-card').evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset.msgId)), [
    'resub',
    'subgift',
    'raid',
    'announcement',
  ]);
  assert.equal(await page.locator('.card-raid .system').textContent(), '1,337 raiders from Raider_Rex have joined!');
  assert.equal(await page.locator(`.line[data-id="${day.ids.timedOut}"] .mark`).textContent(), 'timed out 600s');
  assert.equal(await page.locator(`.line[data-id="${day.ids.deleted}"] .mark`).textContent(), 'deleted');
  assert.equal(await page.locator(`.line[data-id="${day.ids.banned}"] .mark`).textContent(), 'banned');
  assert.equal(await page.locator('.k-timeout .text').textContent(), 'trolololo has been timed out for 600 seconds.');
  await page.waitForLoadState('networkidle');
  assert.deepEqual(desktop.refused, [], 'no other address outside loopback was asked for');
  await page.waitForFunction(() => Array.from(document.images).every((i) => i.complete && i.naturalWidth > 0));
  await page.screenshot({ path: `${DOCS}viewer-dark.png` });
});

it('scrolls to the last of 100,000 lines', async () => {
  await page.focus('#log');
  for (let tries = 0; tries < 20 && !(await inView(page, day.ids.last)); tries++) {
    await page.keyboard.press('End');
    await page.waitForTimeout(100);
  }
  assert.equal(await inView(page, day.ids.last), true, 'the last line is on screen');
  assert.equal(await page.locator(`.line[data-id="${day.ids.last}"] .text`).textContent(), day.lastText);
  const gap = await page.$eval(`.line[data-id="${day.ids.last}"]`, (row) => {
    const log = document.getElementById('log')!;
    return log.getBoundingClientRect().bottom - row.getBoundingClientRect().bottom - (log.scrollHeight - log.scrollTop - log.clientHeight);
  });
  assert.ok(Math.abs(gap) < 2, `the list ends at its last line (${gap} px after it)`);
});

it('filters the loaded day to the lines that match, and falls back to it when the service has no search', async () => {
  await page.fill('#filter', 'NEEDLE in the');
  await page.waitForFunction(() => /^1 of 100,000 lines match/.test(document.getElementById('status')!.textContent ?? ''));
  assert.equal(await inView(page, day.ids.needle), true);
  // A sink without a search index answers 501 (docs/read-api.md, "Search").
  const noSearch = `${api.url}/channel/${VIEWER_CHANNEL}/search?*`;
  await page.route(noSearch, (route) =>
    route.fulfill({ status: 501, contentType: 'text/plain', body: 'search is not available on this sink\n' }),
  );
  await page.click('#search-all');
  await page.waitForFunction(() => /filtering the loaded lines/.test(document.getElementById('status')!.textContent ?? ''));
  await page.unroute(noSearch);
  await page.fill('#filter', '');
  await page.waitForFunction(() => /^100,000 lines/.test(document.getElementById('status')!.textContent ?? ''));
});

it("searches all of the channel's logs when the service answers /channel/{c}/search", async () => {
  // The search route as docs/read-api.md describes it (every match in ?ndjson), answered here from the day itself.
  const answer = await get(`${api.url}/channel/${VIEWER_CHANNEL}/2024/2/1?ndjson&offset=${Math.floor(COUNT * 0.4242)}&limit=1`);
  const asked: string[] = [];
  await page.route(`${api.url}/channel/${VIEWER_CHANNEL}/search?*`, (route) => {
    asked.push(new URL(route.request().url()).searchParams.get('q') ?? '');
    return route.fulfill({ status: 200, contentType: 'application/x-ndjson', body: answer.text });
  });
  await page.fill('#filter', 'haystack 4242');
  await page.click('#search-all');
  await page.waitForFunction(() =>
    /^1 line found for “haystack 4242” in #viewerchan$/.test(document.getElementById('status')!.textContent ?? ''),
  );
  assert.deepEqual(asked.slice(-1), ['haystack 4242']);
  assert.equal(new URL(page.url()).hash, `#c=${VIEWER_CHANNEL}&q=haystack+4242`, 'the results have an address of their own');
  // The list draws on the next animation frame after the status line: a loaded CI machine saw none yet.
  // and a CI run saw the needle drawn, then no line at all a moment later (the list redraws): wait for the list to settle on it.
  await page.waitForFunction((id) => {
    const rows = Array.from(document.querySelectorAll<HTMLElement>('.line'));
    return rows.length === 1 && rows[0]!.dataset.id === id;
  }, day.ids.needle);
  assert.deepEqual(await page.$$eval('.line', (rows) => rows.map((r) => (r as HTMLElement).dataset.id)), [day.ids.needle]);
  const permalink = await page.getAttribute(`.line[data-id="${day.ids.needle}"] .time`, 'href');
  assert.equal(permalink, `${DAY_ROUTE}&id=${day.ids.needle}`, 'a result links to its line in its day');
  await page.unroute(`${api.url}/channel/${VIEWER_CHANNEL}/search?*`);
  await page.goBack();
  assert.match(await loaded(page), /^100,000 lines$/, 'back returns to the day');
});

it('opens a permalink scrolled to its line, highlighted', async () => {
  const linked = await desktop.context.newPage();
  await linked.goto(`${api.url}/${DAY_ROUTE}&id=${day.ids.permalink}`);
  await linked.waitForSelector(`.line.highlighted[data-id="${day.ids.permalink}"]`);
  await loaded(linked);
  assert.equal(await inView(linked, day.ids.permalink), true, 'the linked line is on screen');
  assert.equal(await linked.locator('.line.highlighted').count(), 1);
  // Following another line's timestamp makes that line the permalink.
  const next = await linked.$eval(`.line[data-id="${day.ids.permalink}"] + .line`, (row) => (row as HTMLElement).dataset.id!);
  await linked.click(`.line[data-id="${next}"] .time`);
  await linked.waitForSelector(`.line.highlighted[data-id="${next}"]`);
  assert.equal(new URL(linked.url()).hash, `${DAY_ROUTE}&id=${next}`);
  await linked.close();
});

it('switches between dark and light themes', async () => {
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(await background(), 'rgb(24, 24, 27)');
  await page.click('#theme');
  assert.equal(await background(), 'rgb(247, 247, 248)');
  await page.waitForFunction(() => {
    const emotes = Array.from(document.querySelectorAll<HTMLImageElement>('img.emote'));
    return emotes.length > 0 && emotes.every((i) => i.src.includes('/light/'));
  });
  await page.reload();
  await loaded(page);
  assert.equal(await background(), 'rgb(247, 247, 248)', 'the chosen theme is kept');
  await page.screenshot({ path: `${DOCS}viewer-light.png` });
});

it('is usable on a phone', async () => {
  const phone = await offlineContext(browser, api.url, {
    viewport: { width: 390, height: 760 },
    isMobile: true,
    hasTouch: true,
    colorScheme: 'dark',
  });
  const p = await phone.context.newPage();
  await p.goto(`${api.url}/${DAY_ROUTE}&id=${day.ids.emote}`);
  await loaded(p);
  assert.equal(await inView(p, day.ids.emote), true);
  const widest = await p.evaluate(() =>
    Math.max(
      document.documentElement.scrollWidth,
      ...Array.from(document.querySelectorAll('header *'), (e) => e.getBoundingClientRect().right),
    ),
  );
  assert.ok(widest <= 390, `nothing is wider than the screen (${widest} px)`);
  const target = await p.$$eval('header input, header select, header button', (all) =>
    Math.min(...all.map((c) => c.getBoundingClientRect().height)),
  );
  assert.ok(target >= 32, `controls are big enough to tap (${target} px)`);
  await p.screenshot({ path: `${DOCS}viewer-phone.png` });
  await phone.context.close();
});
