/**
 * `poglytics serve`: the read service (justlog/rustlog-compatible logs API, docs/read-api.md) on
 * API_HOST:API_PORT over the configured sink, until SIGINT/SIGTERM.
 */
import { createChatReader } from '../core/read/createChatReader.ts';
import { loadSinkConfig } from '../core/sinks/createSink.ts';
import { Registry } from 'prom-client';
import { readInt, readString } from '../core/config.ts';
import { startMetricsServer } from '../core/startMetricsServer.ts';
import { createApiMetrics } from '../services/api/apiMetrics.ts';
import { loadApiConfig } from '../services/api/loadApiConfig.ts';
import { startApiServer } from '../services/api/startApiServer.ts';
import { bindProblem } from './bindProblem.ts';
import { adminStoresFor } from './adminStoresFor.ts';

const USAGE = `usage: poglytics serve

Serves the stored chat over HTTP with the routes of justlog and rustlog (/channels, /list,
/channel/{login}/{y}/{m}/{d}, /channel/{login}/user/{login}/{y}/{m}, ?from=&to=, ?json, ?raw, …).
Also /channel/{login}/search?q=, /channel/{login}/stats and /channel/{login}/live (Server-Sent
Events); /optout (a chat code to opt out, docs/read-api.md).
Settings: API_PORT (default 8025), API_HOST (default 127.0.0.1), and the sink's (SQLITE_PATH).
API_ADMIN_KEY (24+ characters, no spaces) enables the admin routes (Authorization: Bearer …):
/admin/user/{login} (one user in every channel), /admin/optout, and /admin/channels, which edits
DATA_DIR/channel-overrides.json, or the control table when CONTROL_TABLE_NAME is set.`;

export async function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.length > 0) {
    process.stderr.write(`poglytics serve: unexpected argument ${args[0]}\n${USAGE}\n`);
    return 1;
  }
  const config = loadApiConfig(process.env);
  const reader = createChatReader(await loadSinkConfig(process.env));
  if (config.port !== 0) {
    const problem = await bindProblem(config.port, config.host);
    if (problem !== null) {
      process.stderr.write(`poglytics serve: API_PORT: ${problem}\n`);
      return 2;
    }
  }
  // Its request metrics on METRICS_PORT when one is set (a pipeline on this machine may hold 9091).
  const registry = new Registry();
  const metricsPort =
    readString(process.env, 'METRICS_PORT') === undefined ? null : readInt(process.env, 'METRICS_PORT', 0, { min: 0, max: 65_535 });
  const metricsServer =
    metricsPort === null
      ? null
      : await startMetricsServer({ port: metricsPort, host: config.host, registry, readiness: () => ({ ready: true, detail: {} }) });
  const overrides = adminStoresFor(process.env);
  const api = await startApiServer(reader, config, {
    metrics: createApiMetrics(registry),
    channelOverrides: overrides.store,
    optOuts: overrides.optOuts,
  });
  process.stdout.write(
    `read api: ${api.url}/channels · log viewer ${api.url}/${metricsServer ? ` · metrics ${metricsServer.url}/metrics` : ''}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await api.close();
  await metricsServer?.close();
  overrides.close();
  return 0;
}
