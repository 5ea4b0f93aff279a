/// <reference lib="dom" />
// The functions given to page.evaluate run in the browser.
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

/** Debian's chromium (apt), driven by playwright-core: no browser is ever downloaded. */
export const CHROMIUM = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** A stand-in emote: a purple disc with the emote id, so a screenshot shows where each one went. */
function fakeEmote(id: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="28" height="28" viewBox="0 0 28 28"><circle cx="14" cy="14" r="13" fill="#9147ff"/><text x="14" y="18" font-size="9" text-anchor="middle" fill="#fff" font-family="sans-serif">${id.slice(0, 4)}</text></svg>`;
}

export interface OfflineContext {
  readonly context: BrowserContext;
  /** Emote images the page asked the Twitch CDN for (answered locally). */
  readonly emoteRequests: string[];
  /** Requests to anywhere else outside `origin`: refused, and listed here so a test can say none were made. */
  readonly refused: string[];
}

/**
 * A browser context that reaches nothing outside loopback: requests to `origin` pass, emote
 * images from static-cdn.jtvnw.net are answered here, everything else is aborted and listed.
 */
export async function offlineContext(browser: Browser, origin: string, options: BrowserContextOptions = {}): Promise<OfflineContext> {
  const context = await browser.newContext(options);
  const emoteRequests: string[] = [];
  const refused: string[] = [];
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.origin === origin) return route.continue();
    const emote = /^\/emoticons\/v2\/([^/]+)\/default\/(dark|light)\/1\.0$/.exec(url.pathname);
    if (url.hostname === 'static-cdn.jtvnw.net' && emote) {
      emoteRequests.push(url.href);
      return route.fulfill({ status: 200, contentType: 'image/svg+xml', body: fakeEmote(emote[1]!) });
    }
    refused.push(url.href);
    return route.abort('blockedbyclient');
  });
  return { context, emoteRequests, refused };
}

/**
 * Scrolls the log by `step` pixels every animation frame for `frames` frames (a fast, steady
 * fling through the list), and returns the frames per second the page kept up: the virtual list
 * draws the rows it uncovers within each frame, or frames are dropped.
 */
export async function measureScrollFps(page: Page, frames: number, step: number): Promise<{ fps: number; worstFrameMs: number }> {
  // A string, not a function: tsx would wrap the named callback in a helper the page does not have.
  return page.evaluate(`new Promise((resolve) => {
    const frames = ${frames};
    const step = ${step};
    const log = document.getElementById('log');
    const times = [];
    const tick = (now) => {
      times.push(now);
      if (times.length > frames) {
        const gaps = times.slice(1).map((t, i) => t - times[i]);
        resolve({ fps: (frames * 1000) / (now - times[0]), worstFrameMs: Math.max(...gaps) });
        return;
      }
      log.scrollTop += log.scrollTop + log.clientHeight + step >= log.scrollHeight ? -log.scrollHeight : step;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })`);
}
