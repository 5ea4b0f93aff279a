import type { IncomingMessage, ServerResponse } from 'node:http';
import { CHANNEL_ADMIN_ACTIONS, applyChannelAction, channelLogin, type ChannelAdminAction } from '../../core/control/channelOverrides.ts';
import { requireAdmin } from './adminAuth.ts';
import { HttpError } from './errors.ts';
import { sendJson } from './handleIndex.ts';
import { readJsonBody } from './readJsonBody.ts';
import type { ApiContext } from './types.ts';

/**
 * `/admin/channels` (issue 18): GET lists the run-time changes; POST
 * `{"action":"add|remove|exclude|include","channels":["login",…]}` applies one action to each
 * login and answers the new list. The refresher merges them on its next run.
 */
export async function handleAdminChannels(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  requireAdmin(req, res, ctx.adminKey);
  const store = ctx.channelOverrides;
  if (!store) throw new HttpError(501, 'Channel admin is not configured on this server (no control table or data folder)');
  if (req.method === 'GET' || req.method === 'HEAD') return sendJson(res, await store.load());
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'GET, HEAD, POST');
    throw new HttpError(405, 'Method not allowed');
  }
  const body = (await readJsonBody(req)) as { action?: unknown; channels?: unknown };
  const action = body?.action;
  if (typeof action !== 'string' || !(CHANNEL_ADMIN_ACTIONS as readonly string[]).includes(action))
    throw new HttpError(400, `action must be one of ${CHANNEL_ADMIN_ACTIONS.join(', ')}`);
  if (!Array.isArray(body.channels) || body.channels.length === 0 || body.channels.some((c) => typeof c !== 'string'))
    throw new HttpError(400, 'channels must be a non-empty array of logins');
  let logins: string[];
  try {
    logins = (body.channels as string[]).map(channelLogin);
  } catch (error) {
    throw new HttpError(400, (error as Error).message);
  }
  const now = ctx.now();
  const next = await store.update((current) =>
    logins.reduce((o, login) => applyChannelAction(o, action as ChannelAdminAction, login, now), current),
  );
  ctx.log.info('channel admin', { action, channels: logins });
  sendJson(res, next);
}
