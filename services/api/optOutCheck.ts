import type { OptOuts } from '../../core/optout/optOuts.ts';
import type { OptOutCheck } from './types.ts';

/**
 * The read service's check against the opt-out list (403, as justlog and rustlog answer): a
 * channel by room id or login, a user by id or login (the login they had when they opted out).
 */
export function optOutCheck(list: { current(): Promise<OptOuts> }): OptOutCheck {
  return async ({ channel, channelId, user }) => {
    const o = await list.current();
    const channelOut =
      (channelId !== null && Object.hasOwn(o.channels, channelId)) || Object.values(o.channels).some((e) => e.login === channel);
    if (channelOut) return 'channel';
    if (user === undefined) return null;
    const userOut =
      (user.id !== undefined && Object.hasOwn(o.users, user.id)) ||
      (user.login !== undefined && Object.values(o.users).some((e) => e.login === user.login));
    return userOut ? 'user' : null;
  };
}
