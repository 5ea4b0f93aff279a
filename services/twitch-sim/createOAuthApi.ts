import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenStore } from './createTokenStore.ts';
import { readBody, sendJson } from './httpResponses.ts';
import type { HelixOptions } from './types.ts';

export interface OAuthApi {
  /** Handles /oauth2/*; false when the path is not OAuth. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
}

async function formParams(req: IncomingMessage, url: URL): Promise<URLSearchParams> {
  const params = new URLSearchParams(url.searchParams);
  const body = await readBody(req);
  if (body.length === 0) return params;
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    for (const [k, v] of Object.entries(JSON.parse(body) as Record<string, unknown>)) params.set(k, String(v));
  } else {
    for (const [k, v] of new URLSearchParams(body)) params.set(k, v);
  }
  return params;
}

/** The client-credentials flow of id.twitch.tv: POST /oauth2/token and GET /oauth2/validate. */
export function createOAuthApi(deps: { options: HelixOptions; tokens: TokenStore; now: () => number }): OAuthApi {
  return {
    async handle(req, res, url) {
      if (url.pathname === '/oauth2/token' && req.method === 'POST') {
        let params: URLSearchParams;
        try {
          params = await formParams(req, url);
        } catch {
          sendJson(res, 400, { status: 400, message: 'invalid request body' });
          return true;
        }
        const clientId = params.get('client_id');
        if (!clientId) return (sendJson(res, 400, { status: 400, message: 'missing client id' }), true);
        if (params.get('grant_type') !== 'client_credentials')
          return (sendJson(res, 400, { status: 400, message: 'unsupported grant type' }), true);
        if (clientId !== deps.options.clientId) return (sendJson(res, 401, { status: 401, message: 'invalid client' }), true);
        if (params.get('client_secret') !== deps.options.clientSecret)
          return (sendJson(res, 401, { status: 401, message: 'invalid client secret' }), true);
        const { token, expiresInS } = deps.tokens.issue(clientId);
        sendJson(res, 200, { access_token: token, expires_in: expiresInS, token_type: 'bearer' });
        return true;
      }
      if (url.pathname === '/oauth2/validate' && req.method === 'GET') {
        const token = (req.headers.authorization ?? '').replace(/^(OAuth|Bearer)\s+/i, '').trim();
        const check = deps.tokens.check(token);
        if (!check.ok) return (sendJson(res, 401, { status: 401, message: 'invalid access token' }), true);
        sendJson(res, 200, {
          client_id: check.clientId,
          scopes: [],
          expires_in: Math.max(0, Math.floor((check.expiresAt - deps.now()) / 1000)),
        });
        return true;
      }
      if (url.pathname.startsWith('/oauth2/')) {
        sendJson(res, 404, { status: 404, message: 'Not Found' });
        return true;
      }
      return false;
    },
  };
}
