import { readFileSync } from 'node:fs';
import type { ReportData } from '../collectReportData.ts';

const CHARTS_SCRIPT = readFileSync(new URL('./charts.client.js', import.meta.url), 'utf8');

const STYLE = `
  :root { color-scheme: light; --ink: #1d1b22; --muted: #6b6675; --brand: #6441a5; --line: #e6e3ea; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #f7f6f9; }
  header { background: var(--brand); color: #fff; padding: 24px 32px; }
  header h1 { margin: 0 0 4px; font-size: 24px; }
  header p { margin: 0; opacity: .85; }
  main { max-width: 1040px; margin: 0 auto; padding: 24px 32px 48px; }
  .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin-bottom: 24px; }
  .card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
  .card b { display: block; font-size: 22px; }
  .card span { color: var(--muted); font-size: 13px; }
  section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin-bottom: 20px; }
  section h2 { margin: 0 0 12px; font-size: 17px; }
  svg { display: block; font-size: 12px; }
  svg .grid { stroke: var(--line); }
  svg .axis, svg .value { fill: var(--muted); }
  svg .label, svg .legend { fill: var(--ink); }
  svg .total { font-size: 22px; font-weight: 600; fill: var(--ink); }
  svg .line { fill: none; stroke: var(--brand); stroke-width: 2; }
  svg .area { fill: var(--brand); opacity: .12; }
  svg .point { fill: var(--brand); }
  svg .mark:hover { opacity: .75; }
  .empty { color: var(--muted); font-style: italic; }
  footer { color: var(--muted); font-size: 12px; text-align: center; }
`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON that is safe inside <script>: no `</script>`, no HTML comment openers. */
function embedJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const iso = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/:\d\d\.\d{3}Z$/, ' UTC');
const number = (value: unknown) => (typeof value === 'number' ? value.toLocaleString('en-US') : '–');

function bucketName(seconds: number): string {
  if (seconds % 86_400 === 0) return seconds === 86_400 ? 'day' : `${seconds / 86_400} days`;
  if (seconds % 3600 === 0) return seconds === 3600 ? 'hour' : `${seconds / 3600} hours`;
  return seconds === 60 ? 'minute' : `${seconds / 60} minutes`;
}

/**
 * One self-contained HTML file: styles, data and chart code inline, and a Content-Security-Policy
 * that forbids loading anything, so it opens offline and cannot phone home.
 */
export function renderReportHtml(data: ReportData): string {
  const t = data.totals;
  const cards: [string, string][] = [
    ['events', number(t.events)],
    ['messages', number(t.messages)],
    ['channels', number(t.channels)],
    ['chatters', number(t.chatters)],
    ['hours covered', number(t.hours)],
  ];
  const section = (id: string, title: string) => `<section><h2>${escapeHtml(title)}</h2><div class="chart" id="${id}"></div></section>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>Poglytics chat report · ${escapeHtml(iso(data.range.since))} – ${escapeHtml(iso(data.range.until))}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Poglytics chat report</h1>
<p>${escapeHtml(iso(data.range.since))} to ${escapeHtml(iso(data.range.until))} · ${escapeHtml(data.sink)} sink · generated ${escapeHtml(iso(data.generatedAt))}</p>
</header>
<main>
<div class="cards">${cards.map(([label, value]) => `<div class="card"><b>${escapeHtml(value)}</b><span>${escapeHtml(label)}</span></div>`).join('')}</div>
${section('chart-timeline', `Messages per ${bucketName(data.timeline.bucketSeconds)}`)}
${section('chart-top-channels', 'Top channels by messages')}
${section('chart-event-mix', 'Event mix')}
${section('chart-subscriptions', 'Subscriptions and gifts')}
${section('chart-moderation', 'Moderation actions')}
<noscript><p>The charts need JavaScript; the data is in the report-data block of this file.</p></noscript>
<footer>Times in UTC. Made by <code>poglytics report</code>.</footer>
</main>
<script type="application/json" id="report-data">${embedJson(data)}</script>
<script>${CHARTS_SCRIPT}</script>
</body>
</html>
`;
}
