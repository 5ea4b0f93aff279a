import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ChannelOverrideStore } from '../../core/control/channelOverrides.ts';
import type { DocumentStore } from '../../core/control/documentStores.ts';
import { OptOutGate } from '../../core/optout/optOutGate.ts';
import type { OptOuts } from '../../core/optout/optOuts.ts';
import { ChannelDirectory } from '../../core/read/channelDirectory.ts';
import type { ChatReader } from '../../core/read/types.ts';
import { createLogger, type Logger } from '../../core/log.ts';
import { HttpError } from './errors.ts';
import { CAPABILITIES, handleChannels, handleList, sendJson } from './handleIndex.ts';
import { handleAdminChannels } from './handleAdminChannels.ts';
import { handleLogs } from './handleLogs.ts';
import { handleAdminOptOut, handleOptOut } from './handleOptOut.ts';
import { optOutCheck } from './optOutCheck.ts';
import { renderDocsPage } from './docsPage.ts';
import { OPEN_API_DOCUMENT } from './openApiDocument.ts';
import { parseLogsPath } from './parseLogsPath.ts';
import { ChannelAction, parseChannelRoute } from './parseChannelRoute.ts';
import { handleSearch } from './handleSearch.ts';
import { handleAdmin, parseAdminPath } from './handleAdmin.ts';
import { handleStats } from './handleStats.ts';
import { ReadUnsupportedError } from '../../core/read/errors.ts';
import type { LiveSource } from '../../core/read/liveSource.ts';
import { PollingLiveSource } from '../../core/read/pollingLiveSource.ts';
import { handleLive, LiveTailCounter } from './handleLive.ts';
import { isViewerPath, serveViewer } from './serveViewer.ts';
import type { ApiContext, OptOutCheck } from './types.ts';
import { routeLabel, type ApiMetrics } from './apiMetrics.ts';
import { ClientRateLimiter, type RateLimit } from './clientRateLimiter.ts';

export interface ApiServerOptions {
  readonly reader: ChatReader;
  readonly optedOut?: OptOutCheck;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly log?: Logger;
  /** Per-client limit (429 with Retry-After past it); none when absent. */
  readonly rateLimit?: RateLimit;
  readonly metrics?: ApiMetrics;
  /** API_ADMIN_KEY (Secrets Manager on AWS); the admin routes exist only when it is set. */
  readonly adminKey?: string;
  /** Run-time channel changes (issue 18). */
  readonly channelOverrides?: ChannelOverrideStore;
  /** The opt-out list (issue 18): 403 for opted-out users and channels, /optout codes, /admin/optout. */
  readonly optOuts?: DocumentStore<OptOuts>;
  /** Where /live gets new events: the stream's ChatEventHub when the consumer runs in this process; a poll of the reader by default. */
  readonly live?: LiveSource;
  /** The poll's interval when `live` is not given (1 s). */
  readonly livePollMs?: number;
  /** Live tails one client may hold open at once (4); one more is refused with 429. */
  readonly liveTailsPerClient?: number;
  /** A comment on each live tail this often (15 s), so proxies and browsers keep it open. */
  readonly heartbeatMs?: number;
}

const DOCS_PAGE = renderDocsPage(OPEN_API_DOCUMENT);

function sendError(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' }).end(`${message}\n`);
}

async function route(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
  if (path === '/capabilities') return sendJson(res, CAPABILITIES, 'public, max-age=600');
  if (path === '/openapi.json') return sendJson(res, OPEN_API_DOCUMENT, 'public, max-age=600');
  if (path === '/docs') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'public, max-age=600' }).end(DOCS_PAGE);
    return;
  }
  if (path === '/channels') return handleChannels(ctx, res);
  if (path === '/admin/channels') return handleAdminChannels(ctx, req, res);
  if (path === '/admin/optout') return handleAdminOptOut(ctx, req, res);
  if (path === '/optout' || path.startsWith('/optout/')) return handleOptOut(ctx, path, url, req, res);
  if (path === '/list') return handleList(ctx, url.searchParams, res);
  const admin = ctx.adminKey === undefined ? null : parseAdminPath(path);
  if (admin !== null) return handleAdmin(ctx, admin, url, req, res, signal);
  const channelRoute = parseChannelRoute(path);
  if (channelRoute?.action === ChannelAction.Search) return handleSearch(ctx, channelRoute, url, req, res, signal);
  if (channelRoute?.action === ChannelAction.Stats) return handleStats(ctx, channelRoute, url, res);
  if (channelRoute?.action === ChannelAction.Live) return handleLive(ctx, channelRoute, req, res, signal);
  const logs = parseLogsPath(path);
  if (logs !== null) return handleLogs(ctx, logs, url, req, res, signal);
  if (isViewerPath(path)) return serveViewer(path, req, res);
  throw new HttpError(404, 'Not found');
}

/**
 * The read service: justlog/rustlog-compatible routes over any ChatReader (docs/read-api.md).
 * CORS is open and read-only, as in both archives; every response names our capabilities.
 */
export function createApiServer(options: ApiServerOptions): Server {
  const log = options.log ?? createLogger();
  const ctx: ApiContext = {
    reader: options.reader,
    channels: new ChannelDirectory(options.reader),
    optedOut: options.optedOut ?? (options.optOuts ? optOutCheck(new OptOutGate(options.optOuts)) : () => null),
    optOuts: options.optOuts,
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
    log,
    adminKey: options.adminKey,
    channelOverrides: options.channelOverrides,
    live:
      options.live ??
      new PollingLiveSource(options.reader, {
        intervalMs: options.livePollMs ?? 1000,
        // A failed poll is tried again at the next interval; the tails stay open.
        onError: (error) => log.error('read api: live poll failed', { error }),
      }),
    liveTails: new LiveTailCounter(options.liveTailsPerClient ?? 4),
    heartbeatMs: options.heartbeatMs ?? 15_000,
  };
  const limiter = options.rateLimit ? new ClientRateLimiter(options.rateLimit, ctx.now) : undefined;
  const metrics = options.metrics;
  const server = createServer((req, res) => {
    if (metrics) {
      const label = routeLabel(new URL(req.url ?? '/', 'http://localhost').pathname.replace(/(.)\/+$/, '$1'));
      const stop = metrics.duration.startTimer({ route: label });
      res.once('close', () => {
        stop();
        metrics.requests.inc({ route: label, status: String(res.statusCode) });
      });
    }
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('x-rustlog-capabilities', CAPABILITIES.join(','));
    if (req.method === 'OPTIONS') {
      res
        .writeHead(204, {
          'Access-Control-Allow-Methods': 'GET, HEAD',
          // Not Authorization: the admin route is for operators' tools, not for pages of other origins.
          'Access-Control-Allow-Headers': 'Accept, Content-Type, Accept-Encoding, Last-Event-ID',
          'Access-Control-Max-Age': '86400',
        })
        .end();
      return;
    }
    const admin = /^\/(admin\/|optout(\?|$))/.test(req.url ?? '');
    if (req.method !== 'GET' && req.method !== 'HEAD' && !(admin && req.method === 'POST')) {
      res.setHeader('Allow', 'GET, HEAD, OPTIONS');
      sendError(res, 405, 'Method not allowed');
      return;
    }
    const decision = limiter?.take(req.socket.remoteAddress ?? 'unknown');
    if (decision && !decision.allowed) {
      metrics?.rateLimited.inc();
      res.setHeader('Retry-After', String(decision.retryAfterS));
      sendError(res, 429, `Too many requests: try again in ${decision.retryAfterS} s`);
      return;
    }
    // The client going away stops the database cursor.
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    route(ctx, req, res, gone.signal).catch((error: unknown) => {
      if (gone.signal.aborted && res.headersSent) return;
      if (res.headersSent) {
        ctx.log.error('read api: response failed midway', { url: req.url, error });
        res.destroy(error as Error);
      } else if (error instanceof HttpError) {
        sendError(res, error.status, error.message);
      } else if (error instanceof ReadUnsupportedError) {
        sendError(res, 501, error.message);
      } else {
        ctx.log.error('read api: request failed', { url: req.url, error });
        sendError(res, 500, 'Internal error');
      }
    });
  });
  // A poll this server made stops with it; a hub given to it belongs to the caller.
  if (options.live === undefined) server.once('close', () => ctx.live.close());
  return server;
}
