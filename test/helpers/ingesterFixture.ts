import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import type { ShardChannel } from '../../core/control/layout.ts';
import { keyToItem, shardToItem } from '../../core/control/shardItemCodec.ts';
import { META_KEY } from '../../core/control/layout.ts';
import { createLogger } from '../../core/log.ts';
import { loadIngesterConfig, type IngesterConfig } from '../../services/ingester/loadIngesterConfig.ts';
import { EMULATOR_REGION } from './emulators.ts';

/** Writes an assignment (meta + one item per shard) the way the channel refresher does. */
export async function writeAssignment(endpoint: string, tableName: string, shards: ShardChannel[][], epoch = 1): Promise<void> {
  const client = new DynamoDBClient(awsClientConfig({ region: EMULATOR_REGION, endpoint }));
  const now = Date.now();
  try {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          ...keyToItem(META_KEY),
          epoch: { N: String(epoch) },
          shardCount: { N: String(shards.length) },
          desiredCount: { N: String(shards.length) },
          updatedAt: { N: String(now) },
          channelCount: { N: String(shards.reduce((n, s) => n + s.length, 0)) },
        },
      }),
    );
    for (const [shardId, channels] of shards.entries()) {
      await client.send(new PutItemCommand({ TableName: tableName, Item: shardToItem({ shardId, epoch, updatedAt: now, channels }) }));
    }
  } finally {
    client.destroy();
  }
}

/** Splits channels round-robin into `n` shards. */
export function splitIntoShards(channels: readonly { login: string; id: string; viewers: number }[], n: number): ShardChannel[][] {
  const shards: ShardChannel[][] = Array.from({ length: n }, () => []);
  channels.forEach((c, i) => shards[i % n]!.push({ login: c.login, id: c.id, viewers: c.viewers, lastLiveAt: Date.now() }));
  return shards;
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Ingester environment for tests: emulators, the simulator, fast timings, a raised JOIN budget. */
export function ingesterEnv(
  parts: { ircUrl: string; kinesisEndpoint: string; streamName: string; dynamoEndpoint: string; tableName: string; journalDir: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    TWITCH_IRC_URL: parts.ircUrl,
    AWS_ENDPOINT_URL_KINESIS: parts.kinesisEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB: parts.dynamoEndpoint,
    AWS_REGION: EMULATOR_REGION,
    KINESIS_STREAM_NAME: parts.streamName,
    CONTROL_TABLE_NAME: parts.tableName,
    JOURNAL_DIR: parts.journalDir,
    METRICS_PORT: '0',
    LEASE_DURATION_MS: '3000',
    LEASE_POLL_MS: '300',
    ASSIGNMENT_POLL_MS: '500',
    JOIN_RATE_COUNT: '200',
    JOIN_RATE_WINDOW_MS: '1000',
    JOIN_RATE_GUARD_MS: '20',
    JOIN_TIMEOUT_MS: '3000',
    RECONNECT_BASE_MS: '200',
    KINESIS_FLUSH_MS: '100',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

export function ingesterConfig(env: Record<string, string>): IngesterConfig {
  return loadIngesterConfig(env);
}

export const quietLogger = () => createLogger(process.env.TEST_LOG_LEVEL === 'info' ? 'info' : 'error');

export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Waits until a task has read everything in flight (its received count holds still), handed on
 * the id-less lines it held for their channel's next line (at most the capture's 5 s), and has
 * written it all.
 */
export async function settle(
  task: { readonly eventsReceived: number; readonly eventsHeld: number; readonly producer: { whenIdle(): Promise<void> } },
  quietMs = 500,
): Promise<void> {
  let last = -1;
  let stableSince = Date.now();
  await waitFor(
    () => {
      const now = Date.now();
      if (task.eventsReceived !== last) {
        last = task.eventsReceived;
        stableSince = now;
      }
      return now - stableSince >= quietMs && task.eventsHeld === 0;
    },
    'the task to finish reading',
    30_000,
  );
  await task.producer.whenIdle();
}
