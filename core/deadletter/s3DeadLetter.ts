import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DeadLetterWriteError } from './errors.ts';
import type { DeadLetterEntry, DeadLetterWriter } from './types.ts';

export const DEFAULT_DEAD_LETTER_PREFIX = 'dead-letter/';
/** Where Lambda's S3 on-failure destination writes its invocation records: `aws/lambda/<mapping id>/<shard>/YYYY/MM/DD/…`. */
export const ON_FAILURE_PREFIX = 'aws/lambda/';

/**
 * AWS dead letter: one NDJSON object per key in DEAD_LETTER_BUCKET under `prefix`. Any S3 failure
 * (throttling, 5xx, access denied, unreachable endpoint) throws DeadLetterWriteError after the
 * SDK's own retries: the consumer keeps the record and reports it for retry.
 */
export function s3DeadLetter(client: S3Client, bucket: string, prefix = DEFAULT_DEAD_LETTER_PREFIX): DeadLetterWriter {
  return {
    destination: `s3://${bucket}/${prefix}`,
    async write(key: string, entries: readonly DeadLetterEntry[]): Promise<void> {
      if (entries.length === 0) return;
      const objectKey = `${prefix}${key}.ndjson`;
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: objectKey,
            Body: entries.map((e) => JSON.stringify(e)).join('\n') + '\n',
            ContentType: 'application/x-ndjson',
          }),
        );
      } catch (error) {
        const { name, code } = error as { name?: string; code?: string };
        const label = code ?? name;
        throw new DeadLetterWriteError(`cannot write dead letter s3://${bucket}/${objectKey}: ${(error as Error).message}`, {
          cause: error,
          ...(label ? { code: label } : {}),
        });
      }
    },
  };
}
