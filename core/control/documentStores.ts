import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError } from '../errors.ts';
import { NO_OVERRIDES, parseChannelOverrides, type ChannelOverrides } from './channelOverrides.ts';
import { CHANNEL_OVERRIDES_KEY } from './layout.ts';
import { keyToItem } from './shardItemCodec.ts';

/** A small JSON document shared by processes: loaded whole, changed by read-modify-write. */
export interface DocumentStore<T> {
  load(): Promise<T>;
  /** Applies `change` to the stored document atomically with respect to other writers; returns the result. */
  update(change: (current: T) => T): Promise<T>;
}

/** What a document store needs to know of its document: its value when absent, and a checked parse. */
export interface DocumentType<T> {
  readonly empty: T;
  /** The document from its JSON value; throws on a damaged one (never a silent empty document). */
  parse(value: unknown): T;
}

const isConditionFailure = (error: unknown) => (error as { name?: string })?.name === 'ConditionalCheckFailedException';
/**
 * Tries of one update against concurrent writers: each round at least one writer wins, so n
 * writers at once need up to n tries; the jittered back-off spreads them out so far fewer do.
 */
const ATTEMPTS = 25;

/**
 * A document as one control-table item (layout.ts): the JSON text and a version. An update reads
 * it strongly consistent and writes it back on condition that the version did not move, so two
 * writers never lose each other's change.
 */
export class DynamoDocumentStore<T> implements DocumentStore<T> {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly key: { readonly pk: string; readonly sk: string },
    private readonly type: DocumentType<T>,
  ) {}

  private async read(): Promise<{ document: T; version: number }> {
    const out = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: keyToItem(this.key), ConsistentRead: true }));
    if (!out.Item) return { document: this.type.empty, version: 0 };
    return { document: this.type.parse(JSON.parse(out.Item.doc?.S ?? '{}')), version: Number(out.Item.version?.N ?? 0) };
  }

  async load(): Promise<T> {
    return (await this.read()).document;
  }

  async update(change: (current: T) => T): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const { document, version } = await this.read();
      const next = change(document);
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: {
              ...keyToItem(this.key),
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
        await sleep(20 * attempt * (0.5 + Math.random()));
      }
    }
  }
}

/**
 * A document as a JSON file in DATA_DIR, shared by the running pipeline (`npm start`) and the
 * CLI. Writes go to a temporary file, fsync, rename: a crash leaves the old or the new document,
 * never half of one. Writers take a lock file (O_EXCL); a lock older than 10 s is from a dead
 * writer and is broken.
 */
export class FileDocumentStore<T> implements DocumentStore<T> {
  constructor(
    private readonly path: string,
    private readonly type: DocumentType<T>,
  ) {}

  async load(): Promise<T> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.type.empty;
      throw error;
    }
    return this.type.parse(JSON.parse(text));
  }

  async update(change: (current: T) => T): Promise<T> {
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

const CHANNEL_OVERRIDES: DocumentType<ChannelOverrides> = { empty: NO_OVERRIDES, parse: parseChannelOverrides };

/** Where `npm start` and `poglytics channels` keep the overrides: DATA_DIR/channel-overrides.json. */
export const channelOverridesPath = (dataDir: string) => join(dataDir, 'channel-overrides.json');

/** The run-time channel changes in DATA_DIR (`npm start`, `poglytics channels`). */
export class FileChannelOverrideStore extends FileDocumentStore<ChannelOverrides> {
  constructor(path: string) {
    super(path, CHANNEL_OVERRIDES);
  }
}

/** The run-time channel changes in the control table's `admin`/`channels` item (AWS). */
export class DynamoChannelOverrideStore extends DynamoDocumentStore<ChannelOverrides> {
  constructor(client: DynamoDBClient, tableName: string) {
    super(client, tableName, CHANNEL_OVERRIDES_KEY, CHANNEL_OVERRIDES);
  }
}
