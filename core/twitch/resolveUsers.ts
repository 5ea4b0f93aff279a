import { TwitchApiError } from '../errors.ts';
import type { HelixClient } from './helixClient.ts';
import { HelixStreamsPageSchema, HelixUsersPageSchema, type HelixStream, type HelixUser } from './schemas.ts';

const PER_REQUEST = 100;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** GET /users?login=… in batches of 100: the user ids of the given logins (missing ones omitted). */
export async function resolveUsers(client: HelixClient, logins: readonly string[]): Promise<Map<string, HelixUser>> {
  const users = new Map<string, HelixUser>();
  for (const batch of chunks(logins, PER_REQUEST)) {
    const parsed = HelixUsersPageSchema.safeParse(
      await client.get(
        'users',
        batch.map((login) => ['login', login] as const),
      ),
    );
    if (!parsed.success) throw new TwitchApiError(`GET /users is malformed: ${parsed.error.issues[0]?.message}`);
    for (const user of parsed.data.data) users.set(user.login, user);
  }
  return users;
}

/** GET /streams?user_login=… in batches of 100: which of the given channels are live now. */
export async function fetchStreamsOf(client: HelixClient, logins: readonly string[]): Promise<HelixStream[]> {
  const streams: HelixStream[] = [];
  for (const batch of chunks(logins, PER_REQUEST)) {
    const params = [['first', '100'] as const, ...batch.map((login) => ['user_login', login] as const)];
    const parsed = HelixStreamsPageSchema.safeParse(await client.get('streams', params));
    if (!parsed.success) throw new TwitchApiError(`GET /streams?user_login is malformed: ${parsed.error.issues[0]?.message}`);
    streams.push(...parsed.data.data);
  }
  return streams;
}
