import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GroundTruthFilter } from './createGroundTruth.ts';
import { sendJson } from './httpResponses.ts';
import type { Simulator } from './startSimulator.ts';
import { CHAT_EVENT_KINDS, type ChatEventKind } from '../../core/events/chatEvent.ts';

/**
 * /_sim/* for compose runs and scripts:
 * GET stats, connections, joins, ground-truth (NDJSON; ?channel=&connection=&kind=&since=), ground-truth/counts;
 * POST reconnect, disconnect (?connection=&graceMs=), traffic/start, traffic/stop, rate?value=N,
 * channel-status?channel=&status=ok|suspended|banned, join-limit?count=&windowMs= (or ?off=1), tokens/expire.
 */
export function createControlApi(sim: () => Simulator): { handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean } {
  const num = (url: URL, key: string): number | undefined => {
    const v = url.searchParams.get(key);
    return v === null || v === '' ? undefined : Number(v);
  };
  return {
    handle(req, res, url) {
      if (!url.pathname.startsWith('/_sim/')) return false;
      const s = sim();
      const route = `${req.method ?? 'GET'} ${url.pathname.slice('/_sim/'.length)}`;
      switch (route) {
        case 'GET stats':
          return (sendJson(res, 200, s.stats()), true);
        case 'GET connections':
          return (sendJson(res, 200, s.connections()), true);
        case 'GET joins':
          return (sendJson(res, 200, s.groundTruth.joins()), true);
        case 'GET ground-truth/counts':
          return (sendJson(res, 200, s.groundTruth.counts()), true);
        case 'GET ground-truth': {
          const kind = url.searchParams.get('kind');
          const filter: GroundTruthFilter = {
            channel: url.searchParams.get('channel') ?? undefined,
            connectionId: num(url, 'connection'),
            since: num(url, 'since'),
            kind: kind !== null && (CHAT_EVENT_KINDS as string[]).includes(kind) ? (kind as ChatEventKind) : undefined,
          };
          res.writeHead(200, { 'Content-Type': 'application/x-ndjson; charset=utf-8' });
          const records = s.groundTruth.records(filter);
          const CHUNK = 1000;
          for (let i = 0; i < records.length; i += CHUNK)
            res.write(
              records
                .slice(i, i + CHUNK)
                .map((r) => JSON.stringify(r) + '\n')
                .join(''),
            );
          res.end();
          return true;
        }
        case 'POST reconnect':
          return (
            sendJson(res, 200, { affected: s.injectReconnect({ connectionId: num(url, 'connection'), graceMs: num(url, 'graceMs') }) }),
            true
          );
        case 'POST disconnect':
          return (sendJson(res, 200, { affected: s.injectDisconnect({ connectionId: num(url, 'connection') }) }), true);
        case 'POST traffic/start':
          s.startTraffic();
          return (sendJson(res, 200, { running: true }), true);
        case 'POST traffic/stop':
          s.stopTraffic();
          return (sendJson(res, 200, { running: false }), true);
        case 'POST rate': {
          const value = num(url, 'value');
          if (value === undefined || !(value >= 0)) return (sendJson(res, 400, { error: 'value must be a number >= 0' }), true);
          s.setRate(value);
          return (sendJson(res, 200, { messagesPerSecond: value }), true);
        }
        case 'POST channel-status': {
          const channel = url.searchParams.get('channel');
          const status = url.searchParams.get('status');
          if (!channel || (status !== 'ok' && status !== 'suspended' && status !== 'banned'))
            return (sendJson(res, 400, { error: 'channel and status=ok|suspended|banned required' }), true);
          s.setChannelStatus(channel, status);
          return (sendJson(res, 200, { channel, status }), true);
        }
        case 'POST join-limit': {
          const count = num(url, 'count');
          const windowMs = num(url, 'windowMs') ?? 10_000;
          s.setJoinLimit(url.searchParams.get('off') === '1' || count === undefined ? null : { count, windowMs });
          return (sendJson(res, 200, { ok: true }), true);
        }
        case 'POST tokens/expire':
          s.expireTokens();
          return (sendJson(res, 200, { ok: true }), true);
        default:
          return (sendJson(res, 404, { error: `no route ${route}` }), true);
      }
    },
  };
}
