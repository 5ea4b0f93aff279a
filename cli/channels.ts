/**
 * `poglytics channels list|add|remove|exclude|include LOGIN…`: channels changed at run time,
 * without a redeploy (issue 18). The refresher merges them with CHANNELS, EXCLUDED_CHANNELS and
 * Helix discovery on its next run (within LOCAL_REFRESH_INTERVAL_MS in `npm start`, or the
 * stack's refresh schedule).
 */
import { ConfigError } from '../core/errors.ts';
import { CHANNEL_ADMIN_ACTIONS, applyChannelAction, channelLogin, type ChannelAdminAction } from '../core/control/channelOverrides.ts';
import { adminStoresFor } from './adminStoresFor.ts';

const USAGE = `usage: poglytics channels list
       poglytics channels add|remove|exclude|include LOGIN...

  add       capture the channel whatever discovery finds (and lift an exclusion)
  remove    undo an add: parted at the next refresh unless discovery finds it
  exclude   never capture it (parted at the next refresh), like EXCLUDED_CHANNELS
  include   lift an exclusion

Changes are stored in DATA_DIR/channel-overrides.json (default ./data), which npm start reads,
or in the control table when CONTROL_TABLE_NAME is set (a deployed stack).`;

export async function run(args: string[]): Promise<number> {
  const [verb, ...logins] = args;
  if (verb === undefined || verb === '--help' || verb === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return verb === undefined ? 1 : 0;
  }
  if (verb !== 'list' && !(CHANNEL_ADMIN_ACTIONS as readonly string[]).includes(verb))
    throw new ConfigError(`poglytics channels: unknown action "${verb}" (list, ${CHANNEL_ADMIN_ACTIONS.join(', ')})`);
  if (verb !== 'list' && logins.length === 0) throw new ConfigError(`poglytics channels ${verb}: name at least one channel login`);
  const checked = logins.map(channelLogin);
  const { store, where, close } = adminStoresFor(process.env);
  try {
    const overrides =
      verb === 'list'
        ? await store.load()
        : await store.update((current) =>
            checked.reduce((o, login) => applyChannelAction(o, verb as ChannelAdminAction, login, Date.now()), current),
          );
    const line = (name: string, map: Readonly<Record<string, number>>) =>
      `${name}: ${
        Object.entries(map)
          .map(([login, at]) => `${login} (${new Date(at).toISOString()})`)
          .join(', ') || '-'
      }`;
    process.stdout.write(
      `${[line('added', overrides.added), line('excluded', overrides.excluded), line('removed', overrides.removed)].join('\n')}\n(${where})\n`,
    );
    return 0;
  } finally {
    close();
  }
}
