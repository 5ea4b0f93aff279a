import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './errors.ts';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * The admin routes' check: `Authorization: Bearer <API_ADMIN_KEY>`. Without a configured key the
 * admin routes do not exist (404, as for any unknown path); a missing or wrong key is 401. The
 * comparison is of SHA-256 digests in constant time, so neither the key's length nor its prefix
 * leaks through timing.
 */
export function requireAdmin(req: IncomingMessage, res: ServerResponse, adminKey: string | undefined): void {
  if (adminKey === undefined || adminKey === '') throw new HttpError(404, 'Not found');
  const header = req.headers.authorization ?? '';
  const match = /^Bearer (.+)$/.exec(header);
  if (!match || !timingSafeEqual(digest(match[1]!), digest(adminKey))) {
    res.setHeader('WWW-Authenticate', 'Bearer realm="poglytics admin"');
    throw new HttpError(401, 'Unauthorized: this route needs Authorization: Bearer <API_ADMIN_KEY>');
  }
}
