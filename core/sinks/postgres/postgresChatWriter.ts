import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { ChatEvent } from '../../events/chatEvent.ts';
import { copyField, copyFrom } from './copyFrom.ts';
import { epochMsSql } from './epochMsSql.ts';
import { postgresChatRow, STAGING_COLUMNS, TEMPLATE_ID_INDEX, templateFormat, type PostgresChatRow } from './postgresChatRow.ts';
import { ROWS } from './postgresLayout.ts';

/** Rows per COPY / INSERT statement: bounded client memory, few round trips. */
const ROWS_PER_STATEMENT = 5000;

const NAMES = STAGING_COLUMNS.map(([name]) => name).join(', ');
const CREATE_STAGING = `CREATE TEMP TABLE IF NOT EXISTS ${ROWS}_staging (${STAGING_COLUMNS.map(([n, t]) => `${n} ${t}`).join(', ')}) ON COMMIT DELETE ROWS`;
const COPY = `COPY ${ROWS}_staging (${NAMES}) FROM STDIN`;
const INSERT = `
INSERT INTO ${ROWS} (${NAMES})
SELECT ${NAMES.replace('sent_at,', `${epochMsSql('sent_at')},`)}
FROM ${ROWS}_staging
ON CONFLICT (event_uuid, sent_at) DO NOTHING`;

const ADD_TEMPLATES = `
INSERT INTO line_templates (template, format, escaped)
SELECT * FROM unnest($1::text[], $2::text[], $3::integer[]) ORDER BY 1
ON CONFLICT ((md5(template))) DO NOTHING`;
const TEMPLATE_IDS = 'SELECT id, template FROM line_templates WHERE md5(template) = ANY($1::text[])';

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Chat events into chat_event_rows by the fastest bulk path Postgres has: COPY (text format) into
 * a per-session temporary staging table, then one INSERT … SELECT … ON CONFLICT DO NOTHING, whose
 * row count is the exact number inserted (a repeat, in the table or the batch, adds nothing).
 * COPY cannot skip conflicts itself, hence the staging table; it is temporary (no WAL, private
 * to the session) and ON COMMIT DELETE ROWS, so a batch leaves nothing behind. Measured in
 * bench/sinks.ts against jsonb_to_recordset (~2× slower), unnest of typed arrays and multi-row
 * VALUES. Temporary tables pin the session under RDS Proxy; the Lambda connects directly.
 *
 * Template ids are cached per writer. A template is never changed or deleted, so a cached id
 * stays right as long as the row that made it was committed: the sink adds templates in their
 * own statement before its write transaction (so a failed write leaves a harmless unused
 * template), a migration in its transaction with a writer of its own.
 */
export class PostgresChatWriter {
  private readonly templateIds = new Map<string, number>();

  /** The events' rows; call addTemplates with them, then insert. */
  rows(events: readonly ChatEvent[]): PostgresChatRow[] {
    return events.map(postgresChatRow);
  }

  /** Adds the rows' new templates to line_templates (in sorted order: concurrent writers never wait on each other in a cycle). */
  async addTemplates(client: pg.ClientBase, rows: readonly PostgresChatRow[]): Promise<void> {
    const missing = [...new Set(rows.flatMap((r) => (r.template === null || this.templateIds.has(r.template) ? [] : [r.template])))];
    if (missing.length === 0) return;
    const formats = missing.map(templateFormat);
    await client.query(ADD_TEMPLATES, [missing, formats.map((f) => f.format), formats.map((f) => f.escaped)]);
    const md5 = missing.map((t) => createHash('md5').update(t).digest('hex'));
    const { rows: found } = await client.query<{ id: number; template: string }>(TEMPLATE_IDS, [md5]);
    for (const { id, template } of found) this.templateIds.set(template, id);
  }

  /** Inserts the rows (their templates added), in the caller's transaction; returns how many were new. */
  async insert(client: pg.ClientBase, rows: readonly PostgresChatRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    await client.query(CREATE_STAGING);
    let count = 0;
    for (const [i, chunk] of chunks(rows, ROWS_PER_STATEMENT).entries()) {
      if (i > 0) await client.query(`TRUNCATE ${ROWS}_staging`);
      await copyFrom(
        client,
        COPY,
        chunk.map((r) => this.copyLine(r)),
      );
      count += (await client.query(INSERT)).rowCount ?? 0;
    }
    return count;
  }

  /** The row as a line of COPY text format, its template's id in place. */
  private copyLine(row: PostgresChatRow): string {
    const templateId = row.template === null ? null : this.idOf(row.template);
    return row.values.map((v, i) => copyField(i === TEMPLATE_ID_INDEX ? templateId : v)).join('\t');
  }

  /** The id of a template added before (addTemplates). */
  idOf(template: string): number {
    const id = this.templateIds.get(template);
    if (id === undefined) throw new RangeError('a template was not added before its row');
    return id;
  }
}
