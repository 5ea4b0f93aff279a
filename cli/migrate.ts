import { createSinkFromEnv } from '../core/sinks/createSink.ts';
import { ConfigError } from '../core/errors.ts';

const USAGE = `usage: poglytics migrate

Applies the pending schema migrations of the sink chosen by the environment (SINK, SQLITE_PATH,
DATABASE_URL, CLICKHOUSE_URL). Safe to run any number of times; writers also migrate on first use.`;

export async function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.length > 0) {
    process.stderr.write(`poglytics migrate: unexpected argument ${args[0]}\n${USAGE}\n`);
    return 1;
  }
  let sink;
  try {
    sink = await createSinkFromEnv(process.env);
    await sink.migrate();
    const rows = await sink.query('SELECT version, name FROM schema_migrations ORDER BY version');
    const last = rows.at(-1);
    process.stdout.write(`${sink.name}: schema at version ${last ? `${String(last.version)} (${String(last.name)})` : 'none'}\n`);
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) throw error; // main prints a bad setting as `SETTING: …` with exit 2, as every verb does
    process.stderr.write(`poglytics migrate: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await sink?.close();
  }
}
