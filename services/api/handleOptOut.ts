import type { IncomingMessage, ServerResponse } from 'node:http';
import { entryKey, issueCode, setEntry, type CodeAction } from '../../core/optout/optOuts.ts';
import { requireAdmin } from './adminAuth.ts';
import { HttpError } from './errors.ts';
import { readJsonBody } from './readJsonBody.ts';
import type { ApiContext } from './types.ts';

function send(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' }).end(body);
}

function listOf(ctx: ApiContext) {
  if (!ctx.optOuts) throw new HttpError(501, 'Opting out is not configured on this server (no control table or data folder)');
  return ctx.optOuts;
}

const actionOf = (value: unknown): CodeAction => {
  if (value === undefined || value === null || value === 'optout') return 'optout';
  if (value === 'optin') return 'optin';
  throw new HttpError(400, 'action must be optout or optin');
};

/**
 * `POST /optout[?action=optin]`: a code, valid for 10 minutes and one use, to post in any
 * captured channel as `!optout CODE` (or `!optin CODE`) from the account to opt out. The sender's
 * user id, set by Twitch on the message, ties it to the account without any login here; a
 * broadcaster posting it in their own channel opts the channel out. `GET /optout/{code}` says
 * what became of it (pending, used and what it did, expired), so a refused code says why.
 */
export async function handleOptOut(ctx: ApiContext, path: string, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const store = listOf(ctx);
  if (path === '/optout') {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      throw new HttpError(405, 'Method not allowed: POST /optout asks for a code');
    }
    const action = actionOf(url.searchParams.get('action') ?? undefined);
    let issued: { code: string; expiresAt: number } | undefined;
    await store.update((o) => {
      const next = issueCode(o, action, ctx.now());
      issued = next;
      return next.optOuts;
    });
    const { code, expiresAt } = issued!;
    return send(res, 200, {
      code,
      action,
      expiresAt: new Date(expiresAt).toISOString(),
      command: `!${action} ${code}`,
      how: `Within 10 minutes, post "!${action} ${code}" in any channel Poglytics captures, from the account to opt ${action === 'optout' ? 'out' : 'back in'}. A broadcaster posting it in their own channel does it for the channel. Check the result at /optout/${code}.`,
    });
  }
  const code = path.slice('/optout/'.length).toLowerCase();
  const found = Object.hasOwn((await store.load()).codes, code) ? (await store.load()).codes[code] : undefined;
  if (found === undefined) throw new HttpError(404, 'Not found: no such code (never issued, or issued over a day ago)');
  const status = found.usedAt !== undefined ? 'used' : ctx.now() > found.expiresAt ? 'expired' : 'pending';
  send(res, 200, {
    code,
    action: found.action,
    status,
    expiresAt: new Date(found.expiresAt).toISOString(),
    outcome: found.outcome ?? null,
  });
}

/**
 * `POST /admin/optout` `{"action":"optout|optin","kind":"user|channel","id":"…","login":"…"}` (id,
 * login or both; `GET` lists the entries):
 * the admin's way, without a code (`poglytics optout` is the same from the command line).
 */
export async function handleAdminOptOut(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  requireAdmin(req, res, ctx.adminKey);
  const store = listOf(ctx);
  if (req.method === 'GET' || req.method === 'HEAD') {
    const { users, channels } = await store.load();
    return send(res, 200, { users, channels });
  }
  const body = (await readJsonBody(req)) as { action?: unknown; kind?: unknown; id?: unknown; login?: unknown };
  const action = actionOf(body.action);
  if (body.kind !== 'user' && body.kind !== 'channel') throw new HttpError(400, 'kind must be user or channel');
  if (body.id !== undefined && (typeof body.id !== 'string' || !/^\d{1,20}$/.test(body.id)))
    throw new HttpError(400, 'id must be the Twitch user or room id (digits)');
  if (body.login !== undefined && (typeof body.login !== 'string' || !/^[a-z0-9_]{1,25}$/.test(body.login)))
    throw new HttpError(400, 'login must be a Twitch login');
  if (body.id === undefined && body.login === undefined) throw new HttpError(400, 'name the id, the login, or both');
  const kind = body.kind === 'user' ? 'users' : 'channels';
  const login = typeof body.login === 'string' ? body.login : null;
  const key = entryKey(typeof body.id === 'string' ? body.id : null, login);
  const entry = action === 'optout' ? { login, at: ctx.now(), by: 'admin' as const } : null;
  const next = await store.update((o) => setEntry(o, kind, key, entry));
  ctx.log.info('admin opt-out', { action, kind: body.kind, id: body.id });
  send(res, 200, { users: next.users, channels: next.channels });
}
