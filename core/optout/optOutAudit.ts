import { PutItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { appendFileSync, closeSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPT_OUT_AUDIT_PK, optOutAuditKey } from '../control/layout.ts';
import { keyToItem } from '../control/shardItemCodec.ts';

/**
 * One deletion as the audit keeps it (issue 18): who was deleted (the account's id or login key,
 * as the opt-out list names it), who asked, when it took effect and when its deletion was
 * complete, and how many stored events and dead letters went, per sink. Never any content.
 */
export interface OptOutAuditRecord {
  /** When the deletion was complete (the entry settled: no consumer stores its events any more). */
  readonly at: number;
  readonly subject: 'user' | 'channel';
  /** The opt-out list's key: the Twitch id, or `login:<login>` when only the login was given. */
  readonly key: string;
  readonly login: string | null;
  readonly by: 'chat' | 'admin';
  readonly optedOutAt: number;
  readonly sink: string;
  readonly deletedEvents: number;
  readonly deletedDeadLetters: number;
}

/** Append-only: records are never changed or removed, also when the account opts back in. */
export interface OptOutAuditLog {
  append(records: readonly OptOutAuditRecord[]): Promise<void>;
  list(): Promise<OptOutAuditRecord[]>;
}

/** DATA_DIR/optout-audit.jsonl: one JSON record a line, appended and synced before the entry is marked settled. */
export const optOutAuditPath = (dataDir: string) => join(dataDir, 'optout-audit.jsonl');

export class FileOptOutAuditLog implements OptOutAuditLog {
  constructor(private readonly path: string) {}

  async append(records: readonly OptOutAuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    appendFileSync(this.path, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const fd = openSync(this.path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  async list(): Promise<OptOutAuditRecord[]> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as OptOutAuditRecord);
  }
}

/** The control table's `admin` partition, an item per record (layout.ts): the consumer may only put items there. */
export class DynamoOptOutAuditLog implements OptOutAuditLog {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async append(records: readonly OptOutAuditRecord[]): Promise<void> {
    for (const record of records)
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { ...keyToItem(optOutAuditKey(record.at, record.subject, record.key, record.sink)), record: { S: JSON.stringify(record) } },
        }),
      );
  }

  async list(): Promise<OptOutAuditRecord[]> {
    const records: OptOutAuditRecord[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': { S: OPT_OUT_AUDIT_PK }, ':prefix': { S: 'optout-audit#' } },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of out.Items ?? []) records.push(JSON.parse(item.record?.S ?? '{}') as OptOutAuditRecord);
      start = out.LastEvaluatedKey;
    } while (start);
    return records;
  }
}
