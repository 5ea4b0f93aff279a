import { S3Client } from '@aws-sdk/client-s3';
import { join, resolve } from 'node:path';
import { awsClientConfig } from '../core/aws/clientConfig.ts';
import { readAwsSettings, readString, readUrl } from '../core/config.ts';
import { directoryDeadLetterStore, s3DeadLetterStore, type DeadLetterStore } from '../core/deadletter/deadLetterStore.ts';
import { redriveDeadLetters } from '../core/deadletter/redriveDeadLetters.ts';
import { ConfigError } from '../core/errors.ts';
import { listSelector, optOutMatcher } from '../core/optout/optOutMatcher.ts';
import { createSinkFromEnv } from '../core/sinks/createSink.ts';
import { adminStoresFor } from './adminStoresFor.ts';
import { parseVerbArgs, stringOption } from './parseVerbArgs.ts';

const USAGE = `usage: poglytics redrive [--dir DIR | --bucket BUCKET [--prefix P]] [--dry-run]

Stores what the dead letter holds into the sink chosen by the environment (SINK, SQLITE_PATH,
DATABASE_URL, CLICKHOUSE_URL), once the cause is fixed: whole Kinesis records from the on-failure
destination (local files, or Lambda's S3 invocation records) and per-event entries. Deduplicated on
event_id: running it twice stores nothing new. What the opt-out list names (CONTROL_TABLE_NAME, else
DATA_DIR/optouts.json) is deleted from each item, never stored. Items fully stored move to redriven/; items that
still fail stay, rewritten with only what still fails and why. Exit 0 when nothing still fails, 1
otherwise.

  --dir DIR        a local dead letter folder (default DEAD_LETTER_DIR, else DATA_DIR/dead-letter)
  --bucket BUCKET  an S3 dead letter (default DEAD_LETTER_BUCKET when set); AWS_ENDPOINT_URL honoured
  --prefix P       key prefix in the bucket (default: the whole bucket, which holds both the
                   consumer's dead-letter/ entries and the on-failure destination's records)
  --dry-run        read and report only; write and move nothing`;

interface RedriveArgs {
  dir: string | null;
  bucket: string | null;
  prefix: string;
  dryRun: boolean;
}

/** A mistake in the arguments is a ConfigError: main prints it as one line and exits 2, as for a bad setting. */
function parseRedriveArgs(args: readonly string[]): RedriveArgs | 'help' {
  const parsed = parseVerbArgs(
    args,
    { dir: { type: 'string' }, bucket: { type: 'string' }, prefix: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    false,
  );
  if (parsed.kind === 'help') return 'help';
  if (parsed.kind === 'error') throw new ConfigError(`${parsed.message}\n${USAGE}`);
  const value = (name: string): string | null => {
    const v = stringOption(parsed.values, name);
    if (v === '') throw new ConfigError(`--${name} needs a value\n${USAGE}`);
    return v ?? null;
  };
  const result: RedriveArgs = {
    dir: value('dir'),
    bucket: value('bucket'),
    prefix: value('prefix') ?? '',
    dryRun: parsed.values['dry-run'] === true,
  };
  if (result.dir && result.bucket) throw new ConfigError('give --dir or --bucket, not both');
  return result;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseRedriveArgs(args);
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const env = process.env;
  const bucket = parsed.bucket ?? (parsed.dir ? undefined : readString(env, 'DEAD_LETTER_BUCKET'));
  let deadLetter: DeadLetterStore;
  let client: S3Client | undefined;
  if (bucket) {
    const endpoint = readUrl(env, 'AWS_ENDPOINT_URL');
    client = new S3Client({ ...awsClientConfig(readAwsSettings(env)), forcePathStyle: Boolean(endpoint) });
    deadLetter = s3DeadLetterStore(client, bucket, parsed.prefix);
  } else {
    const dir = parsed.dir ?? readString(env, 'DEAD_LETTER_DIR') ?? join(readString(env, 'DATA_DIR') ?? './data', 'dead-letter');
    deadLetter = directoryDeadLetterStore(resolve(dir));
  }
  const admin = adminStoresFor(env);
  let optOuts;
  try {
    optOuts = optOutMatcher(listSelector(await admin.optOuts.load()));
  } finally {
    admin.close();
  }
  const sink = await createSinkFromEnv(env);
  try {
    await sink.migrate();
    const report = await redriveDeadLetters({
      sink,
      store: deadLetter,
      dryRun: parsed.dryRun,
      optOuts,
      onItem: (key, r) => {
        if (r.failing > 0) process.stderr.write(`${key}: ${r.stored} stored, ${r.duplicates} duplicates, ${r.failing} still failing\n`);
      },
    });
    for (const [reason, count] of report.reasons) process.stderr.write(`still failing: ${count} × ${reason}\n`);
    process.stderr.write(
      `poglytics redrive: ${deadLetter.destination}: ${report.items} items · ${report.stored} events stored · ${report.duplicates} duplicates · ` +
        `${report.stillFailing} still failing · ${report.redrivenItems} items moved to redriven/` +
        `${report.optedOut > 0 ? ` · ${report.optedOut} opted out (deleted)` : ''}${parsed.dryRun ? ' (dry run: nothing written)' : ''}\n`,
    );
    return report.stillFailing > 0 ? 1 : 0;
  } finally {
    await sink.close();
    client?.destroy();
  }
}
