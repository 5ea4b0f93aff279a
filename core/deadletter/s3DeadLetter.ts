import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DeadLetterEntry, DeadLetterWriter } from './types.ts';

/** AWS dead letter: one NDJSON object per key in DEAD_LETTER_BUCKET under `prefix`. */
export function s3DeadLetter(client: S3Client, bucket: string, prefix = 'dead-letter/'): DeadLetterWriter {
  return {
    destination: `s3://${bucket}/${prefix}`,
    async write(key: string, entries: readonly DeadLetterEntry[]): Promise<void> {
      if (entries.length === 0) return;
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `${prefix}${key}.ndjson`,
          Body: entries.map((e) => JSON.stringify(e)).join('\n') + '\n',
          ContentType: 'application/x-ndjson',
        }),
      );
    },
  };
}
