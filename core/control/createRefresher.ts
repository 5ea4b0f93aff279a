import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { RecordEncoder } from '../events/kinesisRecordCodec.ts';
import type { Logger } from '../log.ts';
import type { AppCredentials } from '../twitch/appToken.ts';
import type { Clock } from '../twitch/clock.ts';
import { NO_OVERRIDES, type ChannelOverrideStore } from './channelOverrides.ts';
import { discoverWithOverrides } from './discoverWithOverrides.ts';
import type { DocumentStore } from './documentStores.ts';
import { NO_OPT_OUTS, optedOutChannelLogins, type OptOuts } from '../optout/optOuts.ts';
import { HelixClient } from '../twitch/helixClient.ts';
import { AssignmentStore } from './assignmentStore.ts';
import {
  DEFAULT_REFRESH_INTERVAL_MINUTES,
  DEFAULT_SNAPSHOT_HEARTBEAT_MINUTES,
  DEFAULT_SNAPSHOT_VIEWER_CHANGE,
  type RefresherConfig,
} from './loadRefresherConfig.ts';
import { publishChangedSnapshots } from './publishChangedSnapshots.ts';
import { publishSnapshots } from './publishSnapshots.ts';
import { refreshChannels, type RefreshReport } from './refreshChannels.ts';
import type { Scaler } from './scaler.ts';
import { SnapshotStateStore } from './snapshotStateStore.ts';

export type RefresherSettings = Pick<
  RefresherConfig,
  | 'channels'
  | 'excludedChannels'
  | 'maxChannels'
  | 'minViewers'
  | 'languages'
  | 'twitchHelixUrl'
  | 'twitchAuthUrl'
  | 'controlTableName'
  | 'kinesisStreamName'
  | 'shardCapacity'
  | 'offlineGraceMinutes'
  | 'standbyTasks'
  | 'recordCompression'
  | 'captureReplicas'
> &
  Partial<Pick<RefresherConfig, 'snapshotViewerChange' | 'snapshotHeartbeatMinutes' | 'refreshIntervalMinutes' | 'slotsPerTask'>> & {
    /** How often this refresher runs, when not whole minutes (local mode); else refreshIntervalMinutes. */
    readonly refreshIntervalMs?: number;
  };

export interface RefresherClients {
  readonly dynamo: DynamoDBClient;
  /** Null to skip stream snapshots. */
  readonly kinesis: KinesisClient | null;
  readonly scaler: Scaler | null;
  /** Null without Twitch credentials (a static CHANNELS list only). */
  readonly credentials: AppCredentials | null;
  /** Channels added, removed and excluded at run time (issue 18); none when absent. */
  readonly channelOverrides?: ChannelOverrideStore | null;
  /** The opt-out list (issue 18): an opted-out channel is never joined. */
  readonly optOuts?: Pick<DocumentStore<OptOuts>, 'load'> | null;
  readonly fetch?: typeof fetch;
  readonly clock?: Clock;
  readonly log?: Logger;
}

export interface Refresher {
  refresh(): Promise<RefreshReport & { helixRequests: number; rateLimitRemaining: number | undefined }>;
}

/**
 * Wires a refresh from settings and clients: the Lambda handler and local mode both use this,
 * so they run the same code. The Helix client lives as long as the refresher (warm invocations).
 */
export function createRefresher(settings: RefresherSettings, clients: RefresherClients): Refresher {
  const helix = clients.credentials
    ? new HelixClient({
        helixUrl: settings.twitchHelixUrl,
        authUrl: settings.twitchAuthUrl,
        credentials: clients.credentials,
        ...(clients.fetch ? { fetch: clients.fetch } : {}),
        ...(clients.clock ? { clock: clients.clock } : {}),
      })
    : null;
  const excluded = new Set(settings.excludedChannels);
  const store = new AssignmentStore(clients.dynamo, settings.controlTableName);
  const kinesis = clients.kinesis;
  const snapshotState = new SnapshotStateStore(clients.dynamo, settings.controlTableName);
  const snapshotPolicy = {
    viewerChange: settings.snapshotViewerChange ?? DEFAULT_SNAPSHOT_VIEWER_CHANGE,
    heartbeatMs: (settings.snapshotHeartbeatMinutes ?? DEFAULT_SNAPSHOT_HEARTBEAT_MINUTES) * 60_000,
    refreshIntervalMs: settings.refreshIntervalMs ?? (settings.refreshIntervalMinutes ?? DEFAULT_REFRESH_INTERVAL_MINUTES) * 60_000,
  };
  return {
    async refresh() {
      const requestsBefore = helix?.stats.requests ?? 0;
      // An unreadable override list fails the refresh (the next one retries): going on without it
      // would join excluded channels again.
      const overrides = clients.channelOverrides ? await clients.channelOverrides.load() : NO_OVERRIDES;
      const optOuts = clients.optOuts ? await clients.optOuts.load() : NO_OPT_OUTS;
      const optedOut = { logins: optedOutChannelLogins(optOuts), ids: new Set(Object.keys(optOuts.channels)) };
      // Filled by discover (refreshChannels calls it before it rebalances).
      const parted = new Set<string>(excluded);
      const report = await refreshChannels(
        {
          discover: async () => {
            const merged = await discoverWithOverrides(
              {
                helix,
                staticChannels: settings.channels,
                excluded,
                maxChannels: settings.maxChannels,
                minViewers: settings.minViewers,
                languages: settings.languages,
              },
              overrides,
              optedOut,
            );
            for (const login of merged.parted) parted.add(login);
            return merged.discovery;
          },
          store,
          scaler: clients.scaler,
          publishSnapshots: kinesis
            ? (snapshots, now) =>
                publishChangedSnapshots(snapshots, now, {
                  state: snapshotState,
                  policy: snapshotPolicy,
                  publish: (changed) =>
                    publishSnapshots(kinesis, settings.kinesisStreamName, changed, {
                      encoder: new RecordEncoder({ compression: settings.recordCompression }),
                    }),
                })
            : null,
          ...(clients.clock ? { now: () => clients.clock!.now() } : {}),
          ...(clients.log ? { log: clients.log } : {}),
        },
        {
          rebalance: { shardCapacity: settings.shardCapacity, offlineGraceMs: settings.offlineGraceMinutes * 60_000, excluded: parted },
          standbyTasks: settings.standbyTasks,
          captureReplicas: settings.captureReplicas,
          ...(settings.slotsPerTask !== undefined ? { slotsPerTask: settings.slotsPerTask } : {}),
        },
      );
      return {
        ...report,
        helixRequests: (helix?.stats.requests ?? 0) - requestsBefore,
        rateLimitRemaining: helix?.stats.rateLimitRemaining,
      };
    },
  };
}
