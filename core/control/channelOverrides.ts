import { ConfigError } from '../errors.ts';

/**
 * Channels changed at run time by an admin (issue 18): added ones are captured whatever
 * discovery finds, excluded ones never, removed ones (an add undone) are parted unless discovery
 * finds them on its own. The refresher merges these with CHANNELS, EXCLUDED_CHANNELS and Helix on
 * its next run. Logins only: Helix resolves ids, as for CHANNELS.
 */
export interface ChannelOverrides {
  /** login → when it was added. */
  readonly added: Readonly<Record<string, number>>;
  /** login → when it was excluded. */
  readonly excluded: Readonly<Record<string, number>>;
  /** login → when its add was undone. */
  readonly removed: Readonly<Record<string, number>>;
}

export const CHANNEL_ADMIN_ACTIONS = ['add', 'remove', 'exclude', 'include'] as const;
export type ChannelAdminAction = (typeof CHANNEL_ADMIN_ACTIONS)[number];

export const NO_OVERRIDES: ChannelOverrides = { added: {}, excluded: {}, removed: {} };

const LOGIN = /^[a-z0-9_]{1,25}$/;

/** A channel login as Twitch spells it (lower case, 1–25 of [a-z0-9_]), or a ConfigError naming it. */
export function channelLogin(text: string): string {
  const login = text.trim().replace(/^#/, '').toLowerCase();
  if (!LOGIN.test(login)) throw new ConfigError(`"${text}" is not a channel login (1-25 letters, digits or _)`, { setting: 'channel' });
  return login;
}

const without = (map: Readonly<Record<string, number>>, login: string) => {
  const { [login]: _gone, ...rest } = map;
  return rest;
};

/**
 * The overrides after one admin action. `add` also lifts an exclusion (the admin asked for the
 * channel); `include` lifts only the exclusion; `remove` undoes an add; `exclude` wins over an add.
 */
export function applyChannelAction(o: ChannelOverrides, action: ChannelAdminAction, login: string, now: number): ChannelOverrides {
  switch (action) {
    case 'add':
      return { added: { ...o.added, [login]: now }, excluded: without(o.excluded, login), removed: without(o.removed, login) };
    case 'remove':
      return { added: without(o.added, login), excluded: o.excluded, removed: { ...o.removed, [login]: now } };
    case 'exclude':
      return { added: without(o.added, login), excluded: { ...o.excluded, [login]: now }, removed: o.removed };
    case 'include':
      return { ...o, excluded: without(o.excluded, login) };
  }
}

/** Overrides read from storage, checked: a damaged document is an error, never an empty list. */
export function parseChannelOverrides(value: unknown): ChannelOverrides {
  const section = (name: keyof ChannelOverrides): Record<string, number> => {
    const raw = (value as Record<string, unknown> | null)?.[name] ?? {};
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`channel overrides: ${name} is not an object`);
    for (const [login, at] of Object.entries(raw))
      if (!LOGIN.test(login) || typeof at !== 'number') throw new Error(`channel overrides: bad entry ${JSON.stringify(login)} in ${name}`);
    return { ...(raw as Record<string, number>) };
  };
  if (typeof value !== 'object' || value === null) throw new Error('channel overrides: not an object');
  return { added: section('added'), excluded: section('excluded'), removed: section('removed') };
}

/** Where overrides live: a file locally, the control table on AWS (documentStores.ts). */
export interface ChannelOverrideStore {
  load(): Promise<ChannelOverrides>;
  /** Applies `change` to the stored overrides atomically with respect to other writers; returns the result. */
  update(change: (current: ChannelOverrides) => ChannelOverrides): Promise<ChannelOverrides>;
}
