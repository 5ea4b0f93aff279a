import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeadLetterEntry, DeadLetterWriter } from './types.ts';

/** Local dead letter: one NDJSON file per key in DEAD_LETTER_DIR, written atomically. */
export function directoryDeadLetter(dir: string): DeadLetterWriter {
  return {
    destination: dir,
    async write(key: string, entries: readonly DeadLetterEntry[]): Promise<void> {
      if (entries.length === 0) return;
      const file = join(dir, `${key.replace(/[^A-Za-z0-9._-]/g, '_')}.ndjson`);
      await mkdir(dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
      await rename(tmp, file);
    },
  };
}
