/**
 * `poglytics optout user|channel --id ID | --login LOGIN [--back]`: an admin opts a user or a
 * channel out (or back in with --back) without a chat code (issue 18). Same list as the consumer,
 * the refresher and the read service use: DATA_DIR/optouts.json, or the control table when
 * CONTROL_TABLE_NAME is set.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../core/errors.ts';
import { entryKey, setEntry } from '../core/optout/optOuts.ts';
import { adminStoresFor } from './adminStoresFor.ts';

const USAGE = `usage: poglytics optout user|channel --id ID | --login LOGIN [--back]
       poglytics optout list
       poglytics optout audit

Opts a Twitch user or channel out of capture (its events are no longer stored, and what is stored
is deleted), or back in with --back. Name the account by id (digits), by login, or both.
\`audit\` prints every completed deletion: who, who asked, when, how many events and dead letters.`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs({
    args,
    allowPositionals: true,
    options: { id: { type: 'string' }, login: { type: 'string' }, back: { type: 'boolean', default: false }, help: { type: 'boolean' } },
  });
  const [kind] = parsed.positionals;
  if (parsed.values.help || kind === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return parsed.values.help ? 0 : 1;
  }
  if (kind !== 'user' && kind !== 'channel' && kind !== 'list' && kind !== 'audit')
    throw new ConfigError(`poglytics optout: "${kind}" is not user, channel, list or audit`);
  const { id, login } = parsed.values;
  if (kind === 'user' || kind === 'channel') {
    if (id === undefined && login === undefined) throw new ConfigError('poglytics optout: name the account with --id or --login');
    if (id !== undefined && !/^\d{1,20}$/.test(id)) throw new ConfigError(`poglytics optout: --id must be digits, got "${id}"`);
    if (login !== undefined && !/^[a-z0-9_]{1,25}$/.test(login))
      throw new ConfigError(`poglytics optout: --login is not a Twitch login: "${login}"`);
  }
  const stores = adminStoresFor(process.env);
  try {
    if (kind === 'audit') {
      for (const r of await stores.audit.list())
        process.stdout.write(
          `${new Date(r.at).toISOString()} ${r.subject} ${r.key}${r.login && !r.key.startsWith('login:') ? ` (${r.login})` : ''} by ${r.by}, ` +
            `opted out ${new Date(r.optedOutAt).toISOString()}: ${r.deletedEvents} events, ${r.deletedDeadLetters} dead letters deleted (${r.sink})\n`,
        );
      return 0;
    }
    const list =
      kind === 'list'
        ? await stores.optOuts.load()
        : await stores.optOuts.update((o) =>
            setEntry(
              o,
              kind === 'user' ? 'users' : 'channels',
              entryKey(id ?? null, login ?? null),
              parsed.values.back ? null : { login: login ?? null, at: Date.now(), by: 'admin' },
            ),
          );
    const lines = (name: string, entries: Record<string, { login: string | null; at: number }>) =>
      `${name}: ${
        Object.entries(entries)
          .map(([key, e]) => `${key}${e.login && !key.startsWith('login:') ? ` (${e.login})` : ''}`)
          .join(', ') || '-'
      }`;
    process.stdout.write(`${lines('users', list.users)}\n${lines('channels', list.channels)}\n`);
    return 0;
  } finally {
    stores.close();
  }
}
