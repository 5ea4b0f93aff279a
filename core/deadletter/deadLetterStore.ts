import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Where redriven items go, inside the dead letter itself (a folder locally, a key prefix in S3). */
export const REDRIVEN_FOLDER = 'redriven';

/**
 * A dead letter as `redrive` sees it: a list of items (one file or object each), readable, and
 * movable aside once stored. `replace` rewrites an item with only what still fails.
 */
export interface DeadLetterStore {
  readonly destination: string;
  list(): AsyncIterable<string>;
  read(key: string): Promise<string>;
  /** Moves the item under `redriven/`, so it is not redriven again. */
  markRedriven(key: string): Promise<void>;
  replace(key: string, text: string): Promise<void>;
  /** Deletes the item (an opt-out sweep left nothing in it). */
  remove(key: string): Promise<void>;
}

/** The local dead letter folder: every `*.ndjson` file at its top level (not `redriven/`, not temporaries). */
export function directoryDeadLetterStore(dir: string): DeadLetterStore {
  return {
    destination: dir,
    async *list() {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') return;
        throw error;
      }
      for (const name of names.sort()) if (name.endsWith('.ndjson')) yield name;
    },
    read: (key) => readFile(join(dir, key), 'utf8'),
    async markRedriven(key) {
      await mkdir(join(dir, REDRIVEN_FOLDER), { recursive: true });
      await rename(join(dir, key), join(dir, REDRIVEN_FOLDER, key));
    },
    async replace(key, text) {
      const tmp = join(dir, `${key}.${process.pid}.tmp`);
      // Synced before the rename: a crash leaves the old item or the new one, never an empty file.
      const file = await open(tmp, 'w');
      try {
        await file.writeFile(text);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(tmp, join(dir, key));
    },
    remove: (key) => rm(join(dir, key), { force: true }),
  };
}

/**
 * The S3 dead letter: every object under `prefix` except `prefix + redriven/`. That covers the
 * consumer's own entries (`dead-letter/kinesis/…`) and, when `prefix` is empty or points there,
 * the invocation records Lambda's on-failure destination writes.
 */
export function s3DeadLetterStore(client: S3Client, bucket: string, prefix: string): DeadLetterStore {
  const redriven = `${prefix}${REDRIVEN_FOLDER}/`;
  return {
    destination: `s3://${bucket}/${prefix}`,
    async *list() {
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        for (const object of page.Contents ?? [])
          if (object.Key && !object.Key.startsWith(redriven) && !object.Key.endsWith('/')) yield object.Key;
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },
    async read(key) {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return (await object.Body?.transformToString('utf8')) ?? '';
    },
    async markRedriven(key) {
      const body = await this.read(key);
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: `${redriven}${key.slice(prefix.length)}`, Body: body }));
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    async replace(key, text) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: 'application/x-ndjson' }));
    },
    async remove(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
  };
}
