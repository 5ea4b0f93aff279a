import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeadLetterWriteError } from './errors.ts';
import type { DeadLetterEntry, DeadLetterWriter } from './types.ts';

/** The file name a key is stored under (also what `redrive` lists). */
export function deadLetterFileName(key: string): string {
  return `${key.replace(/[^A-Za-z0-9._-]/g, '_')}.ndjson`;
}

/**
 * Local dead letter: one NDJSON file per key in DEAD_LETTER_DIR, written atomically. A failed
 * write (ENOSPC, EACCES, …) removes its partial temporary file, so a full disk is not filled
 * further by retries, and throws DeadLetterWriteError: the caller keeps the record.
 */
export function directoryDeadLetter(dir: string): DeadLetterWriter {
  return {
    destination: dir,
    async write(key: string, entries: readonly DeadLetterEntry[]): Promise<void> {
      if (entries.length === 0) return;
      const file = join(dir, deadLetterFileName(key));
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        await mkdir(dir, { recursive: true });
        await writeFile(tmp, entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
        await rename(tmp, file);
      } catch (error) {
        await rm(tmp, { force: true }).catch(() => undefined);
        const code = (error as { code?: string }).code;
        throw new DeadLetterWriteError(`cannot write dead letter ${file}: ${(error as Error).message}`, {
          cause: error,
          ...(code ? { code } : {}),
        });
      }
    },
  };
}
