import type pg from 'pg';

/** Bytes per CopyData message: bounded client memory per message, few messages per batch. */
const CHUNK_BYTES = 1 << 20;

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const COPY_SPECIAL = /[\\\n\r\t]/g;

/** One field of COPY's text format: `\N` for NULL, backslash-escaped otherwise. */
export function copyField(value: string | number | boolean | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  return value.replace(COPY_SPECIAL, (c) => COPY_ESCAPES[c]!);
}

/**
 * `COPY … FROM STDIN` on a pg client without pg-copy-streams: a submittable (node-postgres's
 * extension point for custom queries, the one pg-cursor and pg-copy-streams use) that sends the
 * rows as CopyData when the server asks for them. Resolves with the number of rows copied.
 */
export function copyFrom(client: pg.ClientBase, sql: string, lines: Iterable<string>): Promise<number> {
  return new Promise((resolve, reject) => {
    let rows = 0;
    const submittable = {
      submit(connection: PgConnection) {
        connection.query(sql);
      },
      handleCopyInResponse(connection: PgConnection) {
        try {
          let chunk = '';
          for (const line of lines) {
            chunk += line + '\n';
            if (chunk.length >= CHUNK_BYTES) {
              connection.sendCopyFromChunk(Buffer.from(chunk, 'utf8'));
              chunk = '';
            }
          }
          if (chunk) connection.sendCopyFromChunk(Buffer.from(chunk, 'utf8'));
          connection.endCopyFrom();
        } catch (error) {
          // The server answers CopyFail with an error, which reaches handleError.
          connection.sendCopyFail(error instanceof Error ? error.message : String(error));
        }
      },
      handleCommandComplete(message: { text?: string }) {
        rows = Number(/(\d+)$/.exec(message.text ?? '')?.[1] ?? 0);
      },
      // Like pg's own Query: settle on the error at once (a broken socket sends no ReadyForQuery).
      handleError(error: Error) {
        reject(error);
      },
      handleReadyForQuery() {
        resolve(rows);
      },
      // Not expected for COPY FROM; present so an unexpected message cannot crash the client.
      handleRowDescription() {},
      handleDataRow() {},
      handleEmptyQuery() {},
      handlePortalSuspended() {},
      handleCopyData() {},
    };
    // The submittable settles the outer promise itself; pg returns it for chaining only.
    void client.query(submittable as unknown as pg.QueryConfig);
  });
}

interface PgConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
}
