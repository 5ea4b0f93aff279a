import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError } from '../errors.ts';
import { NO_OVERRIDES, parseChannelOverrides, type ChannelOverrides, type ChannelOverrideStore } from './channelOverrides.ts';
import { CHANNEL_OVERRIDES_KEY } from './layout.ts';
import { keyToItem } from './shardItemCodec.ts';

const isConditionFailure = (error: unknown) => (error as { name?: string })?.name === 'ConditionalCheckFailedException';
const ATTEMPTS = 8;

/**
 * The overrides as one control-table item (`admin` / `channels`, layout.ts): the document as JSON
 * text and a version. An update reads it strongly consistent and writes it back on condition
 * that the version did not move, so two admins never lose each other's change.
 */
export class DynamoChannelOverrideStore implements ChannelOverrideStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  private async read(): Promise<{ overrides: ChannelOverrides; version: number }> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: keyToItem(CHANNEL_OVERRIDES_KEY), ConsistentRead: true }),
    );
    if (!out.Item) return { overrides: NO_OVERRIDES, version: 0 };
    return { overrides: parseChannelOverrides(JSON.parse(out.Item.doc?.S ?? '{}')), version: Number(out.Item.version?.N ?? 0) };
  }

  async load(): Promise<ChannelOverrides> {
    return (await this.read()).overrides;
  }

  async update(change: (current: ChannelOverrides) => ChannelOverrides): Promise<ChannelOverrides> {
    for (let attempt = 1; ; attempt++) {
      const { overrides, version } = await this.read();
      const next = change(overrides);
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: {
              ...keyToItem(CHANNEL_OVERRIDES_KEY),
              doc: { S: JSON.stringify(next) },
              version: { N: String(version + 1) },
              updatedAt: { N: String(Date.now()) },
            },
            ConditionExpression: version === 0 ? 'attribute_not_exists(pk)' : 'version = :read',
            ...(version === 0 ? {} : { ExpressionAttributeValues: { ':read': { N: String(version) } } }),
          }),
        );
        return next;
      } catch (error) {
        if (!isConditionFailure(error) || attempt >= ATTEMPTS) throw error;
        await sleep(20 * attempt);
      }
    }
  }
}

/** Where `npm start` and `poglytics channels` keep the overrides: DATA_DIR/channel-overrides.json. */
export const channelOverridesPath = (dataDir: string) => join(dataDir, 'channel-overrides.json');

/**
 * The overrides as a JSON file (DATA_DIR/channel-overrides.json in `npm start`), shared by the
 * running pipeline (refresher, admin API) and `poglytics channels`. Writes go to a temporary
 * file, fsync, rename: a crash leaves the old or the new document, never half of one. Writers
 * take a lock file (O_EXCL); a lock older than 10 s is from a dead writer and is broken.
 */
export class FileChannelOverrideStore implements ChannelOverrideStore {
  constructor(private readonly path: string) {}

  async load(): Promise<ChannelOverrides> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return NO_OVERRIDES;
      throw error;
    }
    return parseChannelOverrides(JSON.parse(text));
  }

  async update(change: (current: ChannelOverrides) => ChannelOverrides): Promise<ChannelOverrides> {
    const lock = `${this.path}.lock`;
    await this.acquire(lock);
    try {
      const next = change(await this.load());
      const temporary = `${this.path}.${process.pid}.tmp`;
      const fd = openSync(temporary, 'w');
      try {
        writeSync(fd, `${JSON.stringify(next, null, 2)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, this.path);
      return next;
    } finally {
      rmSync(lock, { force: true });
    }
  }

  private async acquire(lock: string): Promise<void> {
    for (let attempt = 0; attempt < 200; attempt++) {
      try {
        closeSync(openSync(lock, 'wx'));
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        try {
          if (Date.now() - statSync(lock).mtimeMs > 10_000) rmSync(lock, { force: true });
        } catch {
          // removed meanwhile
        }
        await sleep(25);
      }
    }
    throw new ConflictError(`${lock} is held by another writer`);
  }
}
