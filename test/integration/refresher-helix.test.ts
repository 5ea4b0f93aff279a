import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import { AssignmentStore } from '../../core/control/assignmentStore.ts';
import { createRefresher, type RefresherSettings } from '../../core/control/createRefresher.ts';
import { CallbackScaler } from '../../core/control/scaler.ts';
import { createLogger } from '../../core/log.ts';
import { clearAppTokenCache } from '../../core/twitch/appToken.ts';
import { fetchLiveStreams } from '../../core/twitch/fetchLiveStreams.ts';
import { HelixClient } from '../../core/twitch/helixClient.ts';
import { startSimulator, type Simulator } from '../../services/twitch-sim/startSimulator.ts';
import { EMULATOR_REGION, startDynamo, startKinesis, type DynamoEmulator, type KinesisEmulator } from '../helpers/emulators.ts';
import { readKinesisEvents } from '../helpers/readKinesisEvents.ts';

const quiet = createLogger('error');
const simOptions = { seed: 7, channels: 800, messagesPerSecond: 1, trafficAutoStart: false };

describe('channel refresher against the simulator Helix', () => {
  beforeEach(() => clearAppTokenCache());

  it('survives 429s from a shared rate-limit bucket and still returns every stream once', async () => {
    const sim = await startSimulator({ ...simOptions, helix: { rateLimit: { points: 4, windowMs: 1000 } } });
    try {
      const credentials = { clientId: 'sim-client-id', clientSecret: 'sim-client-secret' };
      const clients = [0, 1].map(() => new HelixClient({ helixUrl: sim.helixUrl, authUrl: sim.authUrl, credentials }));
      // Two refreshers sharing one Client-Id: each sees the other's spending only as 429s.
      const results = await Promise.all(clients.map((client) => fetchLiveStreams(client, { maxChannels: 500, minViewers: 0 })));
      for (const result of results) {
        assert.equal(result.streams.length, 500);
        assert.equal(new Set(result.streams.map((s) => s.user_id)).size, 500);
      }
      assert.ok(
        clients.some((c) => c.stats.rateLimited > 0),
        'no 429 happened: the test proves nothing',
      );
    } finally {
      await sim.close();
    }
  });

  it('keeps each stream once when pages shift under the cursor', async () => {
    const sim = await startSimulator({ ...simOptions, helix: { shiftingPages: true, shiftFraction: 0.3, rateLimit: null } });
    try {
      const client = new HelixClient({
        helixUrl: sim.helixUrl,
        authUrl: sim.authUrl,
        credentials: { clientId: 'sim-client-id', clientSecret: 'sim-client-secret' },
      });
      const result = await fetchLiveStreams(client, { maxChannels: 50_000, minViewers: 0 });
      const ids = result.streams.map((s) => s.user_id);
      assert.equal(new Set(ids).size, ids.length);
      assert.ok(ids.length > 600, `only ${ids.length} of 800 streams`);
      assert.ok(result.stoppedBy === 'end' || result.stoppedBy === 'cursor_loop' || result.stoppedBy === 'min_viewers');
    } finally {
      await sim.close();
    }
  });

  describe('full refresh with DynamoDB and Kinesis emulators', () => {
    let sim: Simulator;
    let dynamo: DynamoEmulator;
    let kinesis: KinesisEmulator;
    let dynamoClient: DynamoDBClient;
    let kinesisClient: KinesisClient;
    before(async () => {
      [sim, dynamo, kinesis] = await Promise.all([
        startSimulator({ ...simOptions, helix: { rateLimit: null } }),
        startDynamo(),
        startKinesis(),
      ]);
      dynamoClient = new DynamoDBClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: dynamo.endpoint }));
      kinesisClient = new KinesisClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: kinesis.endpoint }));
    });
    after(async () => {
      dynamoClient.destroy();
      kinesisClient.destroy();
      await Promise.all([sim.close(), dynamo.close(), kinesis.close()]);
    });

    const settings = (): RefresherSettings => ({
      channels: [],
      excludedChannels: [],
      maxChannels: 300,
      minViewers: 0,
      languages: [],
      twitchHelixUrl: sim.helixUrl,
      twitchAuthUrl: sim.authUrl,
      controlTableName: dynamo.tableName,
      kinesisStreamName: kinesis.streamName,
      shardCapacity: 100,
      offlineGraceMinutes: 10,
      standbyTasks: 1,
      captureReplicas: 1,
      // gzip, as a deployment whose consumers predate brotli records sets it: every writer must follow it.
      recordCompression: { codec: 'gzip', level: 1 },
    });

    it('discovers, assigns, snapshots and scales, and survives an expired token', async () => {
      const counts: number[] = [];
      const scaler = new CallbackScaler((count) => void counts.push(count));
      const refresher = createRefresher(settings(), {
        dynamo: dynamoClient,
        kinesis: kinesisClient,
        scaler,
        credentials: { clientId: 'sim-client-id', clientSecret: 'sim-client-secret' },
        log: quiet,
      });
      const first = await refresher.refresh();
      assert.equal(sim.stats().tokensIssued, 1);
      const warm = await createRefresher(settings(), {
        dynamo: dynamoClient,
        kinesis: null,
        scaler: null,
        credentials: { clientId: 'sim-client-id', clientSecret: 'sim-client-secret' },
        log: quiet,
      }).refresh();
      assert.equal(sim.stats().tokensIssued, 1, 'a warm invocation asked for a new token');
      assert.equal(warm.moved, 0);
      assert.equal(first.discovered, 300);
      assert.equal(first.assigned, 300);
      assert.equal(first.snapshots, 300);
      const stream = await readKinesisEvents(kinesisClient, kinesis.streamName);
      assert.equal(stream.events.length, 300);
      assert.deepEqual(stream.formats, { brotli: 0, gzip: stream.records, other: 0 }, 'snapshots follow the configured compression');
      assert.equal(first.shards, 4);
      assert.deepEqual(counts, [5]);
      const tokensBefore = sim.stats().tokensIssued;
      sim.expireTokens();
      const second = await refresher.refresh();
      assert.equal(sim.stats().tokensIssued, tokensBefore + 1, 'the expired token was not replaced exactly once');
      assert.equal(second.assigned, 300);
      assert.equal(second.moved, 0);
      assert.deepEqual(counts, [5], 'scaled again without a change');
      const stored = await new AssignmentStore(dynamoClient, dynamo.tableName).read();
      assert.equal(stored.shards.flat().length, 300);
    });

    it('assigns a static CHANNELS list without Twitch credentials, minus excluded channels', async () => {
      const refresher = createRefresher(
        { ...settings(), controlTableName: dynamo.tableName, channels: ['alpha', 'beta', 'gamma'], excludedChannels: ['beta'] },
        { dynamo: dynamoClient, kinesis: null, scaler: null, credentials: null, log: quiet },
      );
      const report = await refresher.refresh();
      assert.equal(report.source, 'static');
      assert.equal(report.helixRequests, 0);
      const logins = (await new AssignmentStore(dynamoClient, dynamo.tableName).read()).shards.flat().map((c) => c.login);
      assert.ok(logins.includes('alpha') && logins.includes('gamma') && !logins.includes('beta'));
    });
  });
});
