import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChannelCatalog } from './createChannelCatalog.ts';
import type { StreamDirectory } from './createStreamDirectory.ts';
import { createTokenBucket } from './createTokenBucket.ts';
import type { TokenStore } from './createTokenStore.ts';
import { sendHelixError, sendJson } from './httpResponses.ts';
import type { HelixOptions, SimChannel } from './types.ts';

export interface HelixApi {
  /** Handles /helix/*; false when the path is not Helix. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean;
  readonly requests: number;
  readonly rejected429: number;
}

/** Twitch cursors are base64 of `{"b":null,"a":{"Offset":N}}`: offsets, which is why pages shift. */
export function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ b: null, a: { Offset: offset } })).toString('base64url');
}

export function decodeCursor(cursor: string): number | null {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { a?: { Offset?: unknown } };
    const offset = parsed.a?.Offset;
    return typeof offset === 'number' && Number.isInteger(offset) && offset >= 0 ? offset : null;
  } catch {
    return null;
  }
}

function toUser(channel: SimChannel): Record<string, unknown> {
  return {
    id: channel.id,
    login: channel.login,
    display_name: channel.displayName,
    type: '',
    broadcaster_type: channel.viewers >= 1000 ? 'partner' : channel.viewers >= 10 ? 'affiliate' : '',
    description: `${channel.displayName} streams ${channel.gameName}.`,
    profile_image_url: `https://static-cdn.jtvnw.net/jtv_user_pictures/${channel.login}-profile_image-300x300.png`,
    offline_image_url: '',
    view_count: 0,
    created_at: '2016-03-14T09:26:53Z',
  };
}

export function createHelixApi(deps: {
  options: HelixOptions;
  tokens: TokenStore;
  directory: StreamDirectory;
  catalog: ChannelCatalog;
  now: () => number;
}): HelixApi {
  const { options, tokens, directory, catalog } = deps;
  const bucket = options.rateLimit ? createTokenBucket(options.rateLimit) : null;
  let requests = 0;
  let rejected429 = 0;

  function streams(res: ServerResponse, url: URL, headers: Record<string, string | number>): void {
    const params = url.searchParams;
    const first = params.has('first') ? Number(params.get('first')) : 20;
    if (!Number.isInteger(first) || first < 1 || first > 100)
      return sendHelixError(res, 400, 'The parameter "first" was malformed: the value must be between 1 and 100', headers);
    const logins = params.getAll('user_login').map((l) => l.toLowerCase());
    const ids = params.getAll('user_id');
    const languages = params.getAll('language');
    const games = params.getAll('game_id');
    if (logins.length + ids.length > 100)
      return sendHelixError(res, 400, 'The request exceeds the maximum allowed number of user_login and user_id query parameters', headers);
    const after = params.get('after');
    const offset = after === null || after === '' ? 0 : decodeCursor(after);
    if (offset === null) return sendHelixError(res, 400, 'The parameter "after" was malformed: invalid cursor', headers);
    if (options.shiftingPages) directory.shift(options.shiftFraction);
    let list = directory.sorted();
    if (logins.length > 0 || ids.length > 0 || languages.length > 0 || games.length > 0) {
      const loginSet = new Set(logins);
      const idSet = new Set(ids);
      list = list.filter(
        (s) =>
          (loginSet.size === 0 && idSet.size === 0 ? true : loginSet.has(s.user_login) || idSet.has(s.user_id)) &&
          (languages.length === 0 || languages.includes(s.language)) &&
          (games.length === 0 || games.includes(s.game_id)),
      );
    }
    const data = list.slice(offset, offset + first);
    const next = offset + data.length;
    sendJson(res, 200, { data, pagination: next < list.length && data.length > 0 ? { cursor: encodeCursor(next) } : {} }, headers);
  }

  function users(res: ServerResponse, url: URL, headers: Record<string, string | number>): void {
    const logins = url.searchParams.getAll('login').map((l) => l.toLowerCase());
    const ids = url.searchParams.getAll('id');
    if (logins.length + ids.length === 0) return sendHelixError(res, 400, 'Must provide an ID, Login or OAuth Token.', headers);
    if (logins.length + ids.length > 100)
      return sendHelixError(res, 400, 'The request exceeds the maximum allowed number of login and id query parameters', headers);
    const idSet = new Set(ids);
    const found = [
      ...logins.map((l) => catalog.byLogin.get(l)).filter((c): c is SimChannel => c !== undefined),
      ...catalog.channels.filter((c) => idSet.has(c.id)),
    ];
    const unique = [...new Map(found.map((c) => [c.id, c])).values()];
    sendJson(res, 200, { data: unique.map(toUser) }, headers);
  }

  return {
    handle(req, res, url) {
      if (!url.pathname.startsWith('/helix/')) return false;
      requests++;
      const clientId = req.headers['client-id'];
      const authorization = req.headers.authorization;
      if (typeof authorization !== 'string' || !/^Bearer\s+\S+/i.test(authorization))
        return (sendHelixError(res, 401, 'OAuth token is missing'), true);
      if (typeof clientId !== 'string' || clientId.length === 0) return (sendHelixError(res, 401, 'Client ID is missing'), true);
      const check = tokens.check(authorization.replace(/^Bearer\s+/i, '').trim());
      if (!check.ok) return (sendHelixError(res, 401, 'Invalid OAuth token'), true);
      if (check.clientId !== clientId) return (sendHelixError(res, 401, 'Client ID and OAuth token do not match'), true);
      const headers: Record<string, string | number> = {};
      if (bucket !== null) {
        const result = bucket.take(clientId, deps.now());
        headers['Ratelimit-Limit'] = result.limit;
        headers['Ratelimit-Remaining'] = result.remaining;
        headers['Ratelimit-Reset'] = result.reset;
        if (!result.allowed) {
          rejected429++;
          return (sendHelixError(res, 429, 'Too Many Requests', headers), true);
        }
      }
      if (req.method !== 'GET') return (sendHelixError(res, 404, 'Not Found', headers), true);
      if (url.pathname === '/helix/streams') streams(res, url, headers);
      else if (url.pathname === '/helix/users') users(res, url, headers);
      else sendHelixError(res, 404, 'Not Found', headers);
      return true;
    },
    get requests() {
      return requests;
    },
    get rejected429() {
      return rejected429;
    },
  };
}
