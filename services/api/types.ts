import type { ChannelOverrideStore } from '../../core/control/channelOverrides.ts';
import type { DocumentStore } from '../../core/control/documentStores.ts';
import type { OptOuts } from '../../core/optout/optOuts.ts';
import type { ChannelDirectory } from '../../core/read/channelDirectory.ts';
import type { LiveSource } from '../../core/read/liveSource.ts';
import type { ChatReader } from '../../core/read/types.ts';
import type { LiveTailCounter } from './handleLive.ts';
import type { Logger } from '../../core/log.ts';

/** Who asked not to be readable (issue 18: core/optout, optOutCheck.ts). */
export type OptOutCheck = (who: {
  readonly channel: string;
  readonly channelId: string | null;
  readonly user?: { readonly login?: string; readonly id?: string };
}) => 'channel' | 'user' | null | Promise<'channel' | 'user' | null>;

/** What every handler reads: built once by createApiServer. */
export interface ApiContext {
  readonly reader: ChatReader;
  readonly channels: ChannelDirectory;
  readonly optedOut: OptOutCheck;
  readonly now: () => number;
  readonly random: () => number;
  readonly log: Logger;
  /** API_ADMIN_KEY: the admin routes exist only when it is set. */
  readonly adminKey: string | undefined;
  /** The opt-out list (issue 18): `/optout` hands out chat codes, `/admin/optout` edits it. */
  readonly optOuts: DocumentStore<OptOuts> | undefined;
  /** Run-time channel changes (issue 18): shown in /channels, edited through /admin/channels. */
  readonly channelOverrides: ChannelOverrideStore | undefined;
  /** New events for /live: the stream's hub in npm start, else a poll of the reader. */
  readonly live: LiveSource;
  readonly liveTails: LiveTailCounter;
  readonly heartbeatMs: number;
}
