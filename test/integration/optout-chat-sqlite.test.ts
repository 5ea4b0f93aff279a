import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSink } from '../../core/sinks/createSink.ts';
import { describeOptOutFlow } from '../helpers/optOutFlow.ts';

const dir = mkdtempSync(join(tmpdir(), 'poglytics-optout-sqlite-'));
describeOptOutFlow(
  'SQLite',
  async () => createSink({ sink: 'sqlite', path: join(dir, 'events.db') }),
  { param: () => '?', objectsSql: "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'" },
  async () => rmSync(dir, { recursive: true, force: true }),
);
