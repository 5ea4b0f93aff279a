import { performance } from 'node:perf_hooks';
import { startReadApi } from '../test/helpers/readApiFixture.ts';
import { launchChromium, measureScrollFps, offlineContext } from '../test/helpers/viewerBrowser.ts';
import { VIEWER_CHANNEL, viewerDay } from '../test/helpers/viewerDataset.ts';

/**
 * The web log viewer in Debian's headless Chromium (playwright-core) over the read service on SQLite:
 *   api.viewer_load_ms         opening a channel-day of N events, until every line is in the list
 *   api.viewer_scroll_fps      frames per second while the log is flung 200 px a frame through
 *                              the day for 600 frames (issue 17 asks ≥ 50; the display rate is 60)
 *   api.viewer_worst_frame_ms  the longest of those frames
 */
export async function bench(options: { quick: boolean }): Promise<Record<string, number>> {
  const count = options.quick ? 20_000 : 100_000;
  const api = await startReadApi(viewerDay(count).events);
  const browser = await launchChromium();
  try {
    const { context, refused } = await offlineContext(browser, api.url, { viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const started = performance.now();
    await page.goto(`${api.url}/#c=${VIEWER_CHANNEL}&d=2024-02-01`);
    await page.waitForSelector('#status[data-state="done"]', { timeout: 120_000 });
    const loadMs = performance.now() - started;
    const status = await page.textContent('#status');
    if (!status?.startsWith(`${count.toLocaleString('en')} lines`))
      throw new Error(`viewer: expected ${count} lines, the page says ${status}`);
    if (refused.length > 0) throw new Error(`viewer: the page asked for ${refused.join(', ')}`);
    await measureScrollFps(page, 60, 200); // warm-up: the first rows of each kind are measured
    const { fps, worstFrameMs } = await measureScrollFps(page, 600, 200);
    return {
      'api.viewer_load_ms': Math.round(loadMs),
      'api.viewer_scroll_fps': Math.round(fps * 10) / 10,
      'api.viewer_worst_frame_ms': Math.round(worstFrameMs * 10) / 10,
    };
  } finally {
    await browser.close();
    await api.close();
  }
}
