import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createChdbConnection } from 'chdb/connection';
import type { StreamEvent } from '../../core/events/streamEvent.ts';
import { createSink } from '../../core/sinks/createSink.ts';
import type { Sink } from '../../core/sinks/types.ts';
import {
  ABSENT_CHANNEL,
  DASHBOARD_RANGE,
  QUIET_CHANNEL,
  channelRanks,
  dashboardFixture,
  manyChannelEvents,
} from '../helpers/dashboardFixture.ts';
import { allPanels, loadDashboard, type Dashboard, type Panel } from '../helpers/grafanaDashboards.ts';
import {
  clickHouseQuery,
  grafanaIntervalMs,
  postgresQuery,
  type GrafanaQueryContext,
  type VariableState,
} from '../helpers/grafanaQuery.ts';
import { startScratchPostgres, type ScratchPostgres } from '../helpers/postgres.ts';

/**
 * Every panel query and template-variable query of the two chat dashboards, expanded as Grafana's
 * ClickHouse plugin and PostgreSQL datasource expand them, run against the real engines (chdb and a
 * PostgreSQL 15 scratch cluster) with the project's own migrations, on data holding every kind a panel shows.
 */

const WIDE_CHANNELS = 20_000;
/** Panel widths in points: a wide panel (fine buckets) and a narrow one (coarse buckets). */
const RESOLUTIONS = [1_000, 24];

type Selection = { label: string; current: readonly string[] | 'all'; expect: 'rows' | 'only-selected' | 'empty' };
const SELECTIONS: Selection[] = [
  { label: 'All', current: 'all', expect: 'rows' },
  { label: `channel ${QUIET_CHANNEL}`, current: [QUIET_CHANNEL], expect: 'only-selected' },
  { label: `channel ${ABSENT_CHANNEL}`, current: [ABSENT_CHANNEL], expect: 'empty' },
];

interface Engine {
  readonly file: string;
  readonly sink: Sink;
  readonly expand: (rawSql: string, context: GrafanaQueryContext) => string;
  readonly close: () => Promise<void>;
}

const isZero = (v: unknown) =>
  v === null ||
  v === undefined ||
  ((typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string') && v !== '' && Number(v) === 0);
/** No rows, or only zeros/NULLs (a stat's count over nothing). */
const looksEmpty = (rows: Record<string, unknown>[]) => rows.length === 0 || rows.every((row) => Object.values(row).every(isZero));

function variableStates(dashboard: Dashboard, channelOptions: readonly string[], selection: Selection): Map<string, VariableState> {
  const states = new Map<string, VariableState>();
  for (const v of dashboard.templating?.list ?? []) {
    const common = { allValue: v.allValue ?? null, multi: v.multi ?? false, includeAll: v.includeAll ?? false };
    if (v.name === 'channel') states.set('channel', { ...common, current: selection.current, options: channelOptions });
    else if (v.type === 'custom') {
      const value = v.current?.value;
      states.set(v.name, {
        ...common,
        current: Array.isArray(value) ? value : [String(value)],
        options: (v.query ?? '').split(',').map((s) => s.trim()),
      });
    } else throw new Error(`variable $${v.name} (${v.type}) is not handled by this test`);
  }
  return states;
}

function panelsWithSql(dashboard: Dashboard): Panel[] {
  return allPanels(dashboard.panels).filter((p) => p.type !== 'row' && (p.targets ?? []).some((t) => t.rawSql));
}

function describeDashboardOn(name: string, dashboardFile: string, start: () => Promise<Engine>): void {
  describe(`dashboard ${dashboardFile} on ${name}`, () => {
    const dashboard = loadDashboard(dashboardFile);
    const fixture = dashboardFixture();
    let engine: Engine;
    const allQueryLengths = new Map<string, number>();
    let queriesRun = 0;
    const quietMessages = fixture.events.filter((e) => e.channel === QUIET_CHANNEL && e.kind === 'message').length;

    before(async () => {
      engine = await start();
      const stream: StreamEvent[] = [...fixture.events, ...fixture.snapshots];
      for (let i = 0; i < stream.length; i += 2_000) await engine.sink.write(stream.slice(i, i + 2_000));
    });
    after(async () => {
      console.log(`${name}: ${queriesRun} panel and variable queries run on ${dashboardFile}`);
      await engine?.close();
    });

    const channelVariable = () => {
      const v = dashboard.templating?.list.find((x) => x.name === 'channel');
      assert.ok(v?.query, `${dashboardFile} has no channel variable query`);
      return v;
    };
    const channelOptions = async (): Promise<string[]> => {
      const context: GrafanaQueryContext = {
        range: DASHBOARD_RANGE,
        intervalMs: grafanaIntervalMs(DASHBOARD_RANGE, 1_000),
        variables: new Map(),
      };
      const rows = await engine.sink.query(engine.expand(channelVariable().query!, context));
      queriesRun++;
      return rows.map((row) => String(Object.values(row)[0]));
    };

    /** Runs every panel for one selection; returns the failures, one line each. */
    const runPanels = async (options: readonly string[], selection: Selection, lengths?: Map<string, number>): Promise<string[]> => {
      const failures: string[] = [];
      for (const panel of panelsWithSql(dashboard)) {
        for (const target of panel.targets ?? []) {
          for (const resolution of RESOLUTIONS) {
            const where = `"${panel.title}" [${selection.label}, ${resolution} points]`;
            const context: GrafanaQueryContext = {
              range: DASHBOARD_RANGE,
              intervalMs: grafanaIntervalMs(DASHBOARD_RANGE, panel.maxDataPoints ?? resolution, panel.interval),
              variables: variableStates(dashboard, options, selection),
            };
            let sql: string;
            let rows: Record<string, unknown>[];
            try {
              sql = engine.expand(target.rawSql!, context);
              queriesRun++;
              rows = await engine.sink.query(sql);
            } catch (error) {
              failures.push(`${where}: ${(error as Error).message.split('\n')[0]}`);
              continue;
            }
            lengths?.set(`${panel.id}/${target.refId}/${resolution}`, sql.length);
            const timeSeries = target.format === 'time_series' || target.queryType === 'timeseries';
            if (timeSeries && rows.some((row) => !('time' in row))) failures.push(`${where}: a time series without a "time" column`);
            if (panel.type === 'stat' && rows.some((row) => Object.values(row).some((v) => v === null)))
              failures.push(`${where}: a stat shows NULL`);
            if (/per minute/i.test(panel.title) && selection.expect === 'only-selected') {
              // A rate per minute, integrated over its buckets, gives back the channel's message count at every bucket width.
              const perMinute = rows.flatMap((row) =>
                Object.entries(row)
                  .filter(([k]) => k !== 'time' && k !== 'channel')
                  .map(([, v]) => Number(v)),
              );
              const total = perMinute.reduce((a, b) => a + b, 0) * (context.intervalMs / 60_000);
              if (Math.abs(total - quietMessages) > 1e-6)
                failures.push(`${where}: ${total} messages over the range instead of ${quietMessages} (not per minute?)`);
            }
            if (selection.expect === 'empty') {
              if (!looksEmpty(rows))
                failures.push(`${where}: shows data for a channel that has none (is $channel ignored?): ${JSON.stringify(rows[0])}`);
              continue;
            }
            if (looksEmpty(rows)) failures.push(`${where}: no rows where rows exist`);
            if (selection.expect === 'only-selected') {
              const others = rows.filter((row) => 'channel' in row && row.channel !== QUIET_CHANNEL);
              if (others.length > 0) failures.push(`${where}: shows channels that are not selected: ${String(others[0]!.channel)}`);
            }
          }
        }
      }
      return failures;
    };

    it('lists the channels with the variable query, over the dashboard time range', async () => {
      const options = await channelOptions();
      assert.ok(options.includes(QUIET_CHANNEL), `${QUIET_CHANNEL} is not offered`);
      assert.ok(options.length > 20, `only ${options.length} channels offered`);
      assert.ok(!options.includes(ABSENT_CHANNEL));
    });

    it('has a quiet channel that lies outside every top-N of the busy channels (the test depends on it)', () => {
      const top = Number(dashboard.templating?.list.find((v) => v.name === 'top')?.current?.value);
      assert.ok(top > 0, 'no $top value');
      const { byMessages, byBits } = channelRanks(fixture.events);
      assert.ok(byMessages.indexOf(QUIET_CHANNEL) >= top && byBits.indexOf(QUIET_CHANNEL) >= top, 'the quiet channel ranks in a top N');
    });

    for (const selection of SELECTIONS) {
      it(`runs every panel for ${selection.label} without error, with ${selection.expect === 'empty' ? 'no data' : 'data'} in each`, async () => {
        const options = await channelOptions();
        const failures = await runPanels(options, selection, selection.current === 'all' ? allQueryLengths : undefined);
        assert.deepEqual(failures, []);
        assert.ok(panelsWithSql(dashboard).length >= 10, 'hardly any panels found');
      });
    }

    it(`runs every panel for All with ${WIDE_CHANNELS.toLocaleString('en')} channels, with queries no longer than with ${fixture.events.length > 0 ? 'few' : ''} channels`, async () => {
      await engine.sink.write(manyChannelEvents(WIDE_CHANNELS));
      const options = await channelOptions();
      assert.ok(options.length > WIDE_CHANNELS, `the variable offers ${options.length} channels`);
      const lengths = new Map<string, number>();
      const failures = await runPanels(options, SELECTIONS[0]!, lengths);
      assert.deepEqual(failures, []);
      assert.ok(allQueryLengths.size > 0, 'the All run with few channels did not record its query lengths');
      for (const [key, length] of lengths) assert.equal(length, allQueryLengths.get(key), `query ${key} grew with the channel count`);
    });
  });
}

const chdbDir = mkdtempSync(join(tmpdir(), 'poglytics-dash-chdb-'));
after(() => rmSync(chdbDir, { recursive: true, force: true }));

// chdb allows one on-disk session per process; this file owns it.
describeDashboardOn('ClickHouse (chdb)', 'chat-analytics-clickhouse.json', async () => {
  const sink = createSink({
    sink: 'clickhouse',
    url: 'http://chdb.local:8123',
    connection: createChdbConnection({ path: join(chdbDir, 'db') }),
  });
  await sink.migrate();
  return { file: 'chat-analytics-clickhouse.json', sink, expand: clickHouseQuery, close: () => sink.close() };
});

describeDashboardOn('PostgreSQL 15', 'chat-analytics-postgres.json', async () => {
  const pg: ScratchPostgres = await startScratchPostgres();
  const sink = createSink({ sink: 'postgres', connectionString: pg.url });
  await sink.migrate();
  return {
    file: 'chat-analytics-postgres.json',
    sink,
    expand: postgresQuery,
    close: async () => {
      await sink.close();
      await pg.close();
    },
  };
});
