import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { SqliteChatReader } from '../core/read/sqliteChatReader.ts';
import { openSqliteDatabase } from '../core/sinks/sqlite/openSqliteDatabase.ts';
import { SqliteSink } from '../core/sinks/sqlite/sqliteSink.ts';
import { createApiServer } from '../services/api/createApiServer.ts';
import { get } from '../test/helpers/readApiFixture.ts';
import { eventOf, line } from '../test/helpers/readApiFixture.ts';

/**
 * The read service on SQLite, side by side in one run with reading the same rows by plain SQL:
 *   api.channel_day_ms      one channel-day of N events as text over HTTP, to the last byte
 *   api.channel_day_sql_ms  the same rows and columns through better-sqlite3 `.iterate()`, no formatting
 *   api.channel_day_ratio   the first over the second (issue 17 asks ≤ 2)
 * Best of `rounds`, after one warm-up of each. The HTTP client is curl in its own process: a client
 * on the server's event loop would charge its own reading to the server.
 */
export async function bench(options: { quick: boolean }): Promise<Record<string, number>> {
  const count = options.quick ? 20_000 : 100_000;
  const rounds = options.quick ? 3 : 5;
  const dir = mkdtempSync(join(tmpdir(), 'bench-api-'));
  const path = join(dir, 'poglytics.db');
  const day = Date.UTC(2024, 1, 1);
  const sink = new SqliteSink({ sink: 'sqlite', path });
  const events = Array.from({ length: count }, (_, i) => {
    const at = day + Math.floor((i / count) * 86_400_000);
    const id = `00000000-0000-4000-a000-${String(i).padStart(12, '0')}`;
    return eventOf(
      line.privmsg({
        channel: 'bench',
        roomId: '1',
        login: `user_${i % 5000}`,
        userId: String(1000 + (i % 5000)),
        text: `message ${i} Kappa PogChamp some more words`,
        at,
        id,
      }),
      at + 5,
    );
  });
  for (let i = 0; i < events.length; i += 5000) await sink.write(events.slice(i, i + 5000));
  await sink.close();

  const reader = new SqliteChatReader(path);
  const server = createApiServer({ reader });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/channel/bench/2024/2/1`;
  const sql = `SELECT event_id, kind, subtype, channel, channel_id, user_login, user_id, display_name, target_user_login, target_user_id, text, is_action, system_text, ban_duration_s, sent_at, tags, raw
    FROM chat_events WHERE channel = ? AND sent_at >= ? AND sent_at < ? ORDER BY sent_at, event_id`;
  const plain = () => {
    const db = openSqliteDatabase(path, { readonly: true });
    let rows = 0;
    for (const _row of db.prepare(sql).iterate('bench', day, day + 86_400_000)) rows++;
    db.close();
    return rows;
  };
  const time = async (fn: () => unknown) => {
    await fn();
    let best = Infinity;
    for (let r = 0; r < rounds; r++) {
      const start = performance.now();
      await fn();
      best = Math.min(best, performance.now() - start);
    }
    return best;
  };
  try {
    const lines = (await get(url)).text.split('\n').length - 1;
    if (lines !== count || plain() !== count) throw new Error(`expected ${count} lines, got ${lines}`);
    const curl = () => promisify(execFile)('curl', ['-sS', '-o', '/dev/null', url]);
    const apiMs = await time(curl);
    const sqlMs = await time(plain);
    return {
      'api.channel_day_ms': Math.round(apiMs),
      'api.channel_day_sql_ms': Math.round(sqlMs),
      'api.channel_day_ratio': Math.round((apiMs / sqlMs) * 100) / 100,
    };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await reader.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
