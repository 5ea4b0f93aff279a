import './styles.css';
import { LoadedLog } from './loadedLog.ts';
import { Picker } from './picker.ts';
import { estimateHeight, renderLine } from './renderLine.ts';
import { formatRoute, logPath, parseRoute, sameScope } from './route.ts';
import { ApiProblem, streamLog } from './streamLog.ts';
import { currentTheme, setUpTheme } from './theme.ts';
import type { LogMessage, Scope } from './types.ts';
import { VirtualList } from './virtualList.ts';

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = byId<HTMLElement>('status');
const filterInput = byId<HTMLInputElement>('filter');
const searchButton = byId<HTMLButtonElement>('search-all');

/** What the list shows: a scope's log, or the results of a server-side search in a channel. */
type Showing = { readonly kind: 'log'; readonly scope: Scope } | { readonly kind: 'search'; readonly channel: string; readonly q: string };

let showing: Showing | null = null;
let log = new LoadedLog();
let loading: AbortController | null = null;
let highlighted: string | null = null;
/** A permalink's line not yet scrolled to (it may still be on its way). */
let pendingJump: string | null = null;

const dayOf = (m: LogMessage) => m.timestamp.slice(0, 10);

/** A line's permalink: in its log's scope, or for a search result the channel-day it is in. */
function permalinkOf(m: LogMessage): string {
  const scope: Scope = showing?.kind === 'log' ? showing.scope : { kind: 'day', channel: m.channel, date: dayOf(m) };
  return formatRoute({ scope, lineId: m.id });
}

const list = new VirtualList(byId('log'), {
  get count() {
    return log.count;
  },
  keyOf: (row) => log.lineAt(row),
  shapeOf: (row) => log.kinds[log.lineAt(row)]!,
  estimate: (row) => estimateHeight(log.kinds[log.lineAt(row)]!),
  render: (row) => {
    const line = log.lineAt(row);
    const message = log.messages[line]!;
    return renderLine({
      message,
      kind: log.kinds[line]!,
      mark: log.marks.markOf(line),
      theme: currentTheme(),
      permalink: permalinkOf(message),
      highlighted: message.id === highlighted,
    });
  },
});

function report(state: 'idle' | 'loading' | 'done' | 'error', detail = ''): void {
  status.dataset.state = state;
  const lines = `${log.messages.length.toLocaleString('en')} line${log.messages.length === 1 ? '' : 's'}`;
  let shown = log.query === '' ? lines : `${log.count.toLocaleString('en')} of ${lines} match “${log.query}”`;
  if (showing?.kind === 'search') shown = `${shown} found for “${showing.q}” in #${showing.channel}`;
  status.textContent = [showing === null ? '' : shown, state === 'loading' ? 'loading…' : '', detail].filter(Boolean).join(' · ');
}

function jumpIfLoaded(): void {
  if (pendingJump === null) return;
  const row = log.rowOf(pendingJump);
  if (row < 0) return;
  pendingJump = null;
  list.scrollTo(row);
}

/** Streams `url` into a fresh list: lines show as they come, marks are drawn again when a removal arrives. */
async function load(next: Showing, url: string): Promise<void> {
  loading?.abort();
  const controller = new AbortController();
  loading = controller;
  showing = next;
  log = new LoadedLog();
  log.filter(filterInput.value);
  list.replace();
  report('loading');
  try {
    await streamLog(url, controller.signal, (lines) => {
      if (log.append(lines).length > 0) list.redraw();
      else list.grew();
      jumpIfLoaded();
      report('loading');
    });
    report('done', pendingJump === null ? '' : 'the linked line is not in this log');
    pendingJump = null;
  } catch (error) {
    if (controller.signal.aborted) return;
    report(
      'error',
      error instanceof ApiProblem && error.status === 404 ? 'no logs here' : String(error instanceof Error ? error.message : error),
    );
  }
}

function openRoute(): void {
  const route = parseRoute(location.hash);
  highlighted = route.lineId;
  pendingJump = route.lineId;
  if (route.search) {
    const { channel, q } = route.search;
    if (showing?.kind === 'search' && showing.channel === channel && showing.q === q) {
      list.redraw();
      jumpIfLoaded();
      return;
    }
    void load({ kind: 'search', channel, q }, `/channel/${encodeURIComponent(channel)}/search?${new URLSearchParams({ q, ndjson: '1' })}`);
    return;
  }
  if (route.scope === null) return;
  if (showing?.kind === 'log' && sameScope(showing.scope, route.scope)) {
    list.redraw();
    jumpIfLoaded();
    return;
  }
  picker.show(route.scope);
  void load({ kind: 'log', scope: route.scope }, `${logPath(route.scope)}?ndjson`);
}

/**
 * Search over all of a channel's logs when the API has `/channel/{c}/search` (issue 17); without
 * it (404, or 501 on a sink without an index) the filter over the loaded lines is what there is.
 */
async function searchChannel(): Promise<void> {
  const q = filterInput.value.trim();
  const channel = showing?.kind === 'log' ? showing.scope.channel : showing?.channel;
  if (q === '' || channel === undefined) return;
  const probe = await fetch(`/channel/${encodeURIComponent(channel)}/search?${new URLSearchParams({ q, limit: '1', ndjson: '1' })}`);
  if (probe.status === 404 || probe.status === 501 || probe.status === 400) {
    const why = probe.status === 400 ? (await probe.text()).trim() : 'search over all days is not available here';
    report(status.dataset.state === 'loading' ? 'loading' : 'done', `${why}: filtering the loaded lines`);
    return;
  }
  if (!probe.ok) return report('error', (await probe.text()).trim());
  // The results have their own address (back returns to the log); the filter would hide them.
  filterInput.value = '';
  location.hash = formatRoute({ scope: null, search: { channel, q }, lineId: null });
}

const picker = new Picker(
  {
    channel: byId('channel'),
    channelList: byId('channels'),
    user: byId('user'),
    date: byId('date'),
    form: byId('pick'),
  },
  (scope) => {
    location.hash = formatRoute({ scope, lineId: null });
  },
  (message) => report('error', message),
);

let filterTimer: ReturnType<typeof setTimeout> | undefined;
filterInput.addEventListener('input', () => {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(() => {
    log.filter(filterInput.value);
    list.reset();
    if (highlighted !== null && log.rowOf(highlighted) >= 0) list.scrollTo(log.rowOf(highlighted));
    report(status.dataset.state === 'loading' ? 'loading' : 'done');
  }, 120);
});
byId('search-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void searchChannel();
});
searchButton.disabled = false;

setUpTheme(byId('theme'), () => list.redraw());
window.addEventListener('hashchange', openRoute);
picker.loadChannels().catch((error: unknown) => report('error', `channels: ${String(error)}`));
report('idle');
openRoute();
