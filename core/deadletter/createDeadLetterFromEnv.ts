import { S3Client } from '@aws-sdk/client-s3';
import { awsClientConfig } from '../aws/clientConfig.ts';
import { readAwsSettings, readString, type Env } from '../config.ts';
import { directoryDeadLetter } from './directoryDeadLetter.ts';
import { join } from 'node:path';
import { REDRIVEN_FOLDER, directoryDeadLetterStore, s3DeadLetterStore, type DeadLetterStore } from './deadLetterStore.ts';
import { DEFAULT_DEAD_LETTER_PREFIX, ON_FAILURE_PREFIX, s3DeadLetter } from './s3DeadLetter.ts';
import type { DeadLetterWriter } from './types.ts';

export const DEFAULT_DEAD_LETTER_DIR = './data/dead-letter';

/** DEAD_LETTER_BUCKET (S3, on AWS) wins; else DEAD_LETTER_DIR (default ./data/dead-letter). */
export function createDeadLetterFromEnv(env: Env): DeadLetterWriter {
  const bucket = readString(env, 'DEAD_LETTER_BUCKET');
  if (bucket) {
    const aws = readAwsSettings(env);
    const client = new S3Client({ ...awsClientConfig(aws), forcePathStyle: Boolean(aws.endpoint) });
    return s3DeadLetter(client, bucket);
  }
  return directoryDeadLetter(readString(env, 'DEAD_LETTER_DIR') ?? DEFAULT_DEAD_LETTER_DIR);
}

/**
 * The same dead letter as stores to sweep (opt-out deletion): its items and the `redriven/`
 * copies kept beside them, in S3 or in the folder, and on AWS Lambda's on-failure records too.
 */
export function deadLetterStoresFromEnv(env: Env): DeadLetterStore[] {
  const bucket = readString(env, 'DEAD_LETTER_BUCKET');
  if (bucket) {
    const aws = readAwsSettings(env);
    const client = new S3Client({ ...awsClientConfig(aws), forcePathStyle: Boolean(aws.endpoint) });
    return [
      s3DeadLetterStore(client, bucket, DEFAULT_DEAD_LETTER_PREFIX),
      s3DeadLetterStore(client, bucket, `${DEFAULT_DEAD_LETTER_PREFIX}${REDRIVEN_FOLDER}/`),
      s3DeadLetterStore(client, bucket, ON_FAILURE_PREFIX),
    ];
  }
  const dir = readString(env, 'DEAD_LETTER_DIR') ?? DEFAULT_DEAD_LETTER_DIR;
  return [directoryDeadLetterStore(dir), directoryDeadLetterStore(join(dir, REDRIVEN_FOLDER))];
}
