import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { Registry } from 'prom-client';
import { createMetrics } from '../../core/metrics.ts';

const monitoring = fileURLToPath(new URL('../../monitoring/', import.meta.url));
const dashboardsDir = join(monitoring, 'grafana/dashboards');
const datasourcesDir = join(monitoring, 'grafana/provisioning/datasources');

/** Series Prometheus itself creates for every target. */
const SYNTHETIC_SERIES = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

const PROMQL_WORDS = new Set([
  'sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group',
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan',
]);

/** Metric names a PromQL expression reads: identifiers that are not functions, keywords, labels or durations. */
function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""') // string literals
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // range selectors, $__rate_interval
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // label lists
    .replace(/\$\w+/g, ' '); // Grafana variables
  const names = new Set<string>();
  // Not preceded by a digit or dot, so the `h` of `1h` and the `e` of `1e3` are not names.
  for (const match of stripped.matchAll(/(?<![\w.])[A-Za-z_:][A-Za-z0-9_:]*(?=\s*(\(?))/g)) {
    const [name, paren] = [match[0], match[1]];
    if (paren === '(' || PROMQL_WORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}

async function exportedNames(): Promise<Set<string>> {
  const { registry } = createMetrics(new Registry());
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
    if (String(metric.type) === 'summary') for (const suffix of ['_sum', '_count']) names.add(metric.name + suffix);
  }
  return names;
}

type Target = { expr?: string; rawSql?: string; datasource?: { uid?: string; type?: string } };
type Panel = { id: number; type: string; title: string; datasource?: { uid?: string; type?: string }; targets?: Target[]; panels?: Panel[]; gridPos?: unknown };
type Dashboard = { uid: string; title: string; panels: Panel[]; templating?: { list: { name: string; datasource?: { uid?: string; type?: string } }[] } };

function loadDashboards(): { file: string; dashboard: Dashboard }[] {
  return readdirSync(dashboardsDir)
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')) as Dashboard }));
}

const allPanels = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);

function provisionedDatasources(): Map<string, string> {
  const byUid = new Map<string, string>();
  for (const file of readdirSync(datasourcesDir).filter((f) => /\.ya?ml$/.test(f))) {
    const config = parse(readFileSync(join(datasourcesDir, file), 'utf8')) as { datasources: { uid: string; type: string }[] };
    for (const ds of config.datasources) byUid.set(ds.uid, ds.type);
  }
  return byUid;
}

function alertExprs(): { alert: string; expr: string }[] {
  const rules = parse(readFileSync(join(monitoring, 'prometheus/rules/poglytics.rules.yml'), 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
  return rules.groups.flatMap((g) => g.rules);
}

describe('monitoring configuration', () => {
  it('reads metric names out of PromQL, skipping functions, labels and durations', () => {
    assert.deepEqual(
      metricNamesIn('histogram_quantile(0.99, sum by (le, instance) (rate(a_seconds_bucket{job="x", le!="1"}[5m]))) > 10 and on (instance) b_total offset 1h'),
      ['a_seconds_bucket', 'b_total'],
    );
    assert.deepEqual(metricNamesIn('sum(rate(c_total[$__rate_interval])) / clamp_min(d, 1)'), ['c_total', 'd']);
  });

  it('uses only metric names the code exports, in every dashboard and alert rule', async () => {
    const exported = await exportedNames();
    assert.ok(exported.has('twitch_scraper_messages_total') && exported.has('process_cpu_seconds_total'), 'registry lacks the expected metrics');
    const used: { where: string; name: string }[] = [];
    for (const { file, dashboard } of loadDashboards()) {
      for (const panel of allPanels(dashboard.panels)) {
        for (const target of panel.targets ?? []) {
          if (target.expr !== undefined) used.push(...metricNamesIn(target.expr).map((name) => ({ where: `${file} "${panel.title}"`, name })));
        }
      }
    }
    for (const { alert, expr } of alertExprs()) used.push(...metricNamesIn(expr).map((name) => ({ where: `alert ${alert}`, name })));

    const unknown = used.filter(({ name }) => !exported.has(name) && !SYNTHETIC_SERIES.has(name));
    assert.deepEqual(unknown, [], 'metric names not exported by core/metrics.ts');
    // Guard against an extractor that finds nothing: every alert and most panels read metrics.
    assert.ok(used.length > 60, `only ${used.length} metric references found`);
    const names = new Set(used.map((u) => u.name));
    for (const required of ['twitch_scraper_messages_total', 'twitch_scraper_active_connections', 'twitch_scraper_joined_channels_total', 'poglytics_event_lag_seconds_bucket', 'poglytics_kinesis_throttles_total', 'poglytics_lease_lost_total', 'process_resident_memory_bytes']) {
      assert.ok(names.has(required), `${required} is on no dashboard or rule`);
    }
  });

  it('has valid dashboards whose every datasource reference is provisioned, with the right type', () => {
    const datasources = provisionedDatasources();
    assert.deepEqual([...datasources.keys()].sort(), ['poglytics-clickhouse', 'poglytics-postgres', 'poglytics-prometheus']);
    const dashboards = loadDashboards();
    assert.deepEqual(dashboards.map((d) => d.file).sort(), ['chat-analytics-clickhouse.json', 'chat-analytics-postgres.json', 'ingest-operations.json']);
    assert.equal(new Set(dashboards.map((d) => d.dashboard.uid)).size, dashboards.length, 'dashboard uids must be unique');

    for (const { file, dashboard } of dashboards) {
      const panels = allPanels(dashboard.panels);
      assert.ok(panels.length > 5, `${file} has hardly any panels`);
      assert.equal(new Set(panels.map((p) => p.id)).size, panels.length, `${file}: panel ids must be unique`);
      const refs = [
        ...panels.filter((p) => p.type !== 'row').flatMap((p) => [
          { where: `${file} "${p.title}"`, ds: p.datasource },
          ...(p.targets ?? []).map((t) => ({ where: `${file} "${p.title}" target`, ds: t.datasource })),
        ]),
        ...(dashboard.templating?.list ?? []).filter((v) => v.datasource).map((v) => ({ where: `${file} variable $${v.name}`, ds: v.datasource })),
      ];
      for (const { where, ds } of refs) {
        assert.ok(ds?.uid, `${where} names no datasource uid`);
        assert.ok(datasources.has(ds.uid), `${where} references datasource "${ds.uid}", which is not provisioned`);
        assert.equal(ds.type, datasources.get(ds.uid), `${where}: datasource type differs from the provisioned one`);
      }
      for (const panel of panels.filter((p) => p.type !== 'row')) {
        assert.ok(panel.gridPos, `${file} "${panel.title}" has no position`);
        assert.ok((panel.targets ?? []).length > 0, `${file} "${panel.title}" has no query`);
        for (const target of panel.targets ?? []) assert.ok(target.expr ?? target.rawSql, `${file} "${panel.title}" has an empty query`);
      }
    }
  });

  it('chat analytics dashboards read chat_events through their own datasource only', () => {
    for (const [file, uid] of [['chat-analytics-clickhouse.json', 'poglytics-clickhouse'], ['chat-analytics-postgres.json', 'poglytics-postgres']] as const) {
      const dashboard = loadDashboards().find((d) => d.file === file)!.dashboard;
      for (const panel of allPanels(dashboard.panels).filter((p) => p.type !== 'row')) {
        assert.equal(panel.datasource?.uid, uid, `${file} "${panel.title}"`);
        for (const target of panel.targets ?? []) assert.match(target.rawSql ?? '', /FROM chat_events/, `${file} "${panel.title}"`);
      }
    }
  });

  it('points Prometheus at rule files that exist and at the compose services', () => {
    const config = parse(readFileSync(join(monitoring, 'prometheus/prometheus.yml'), 'utf8')) as { rule_files: string[]; scrape_configs: unknown[] };
    for (const file of config.rule_files) assert.ok(existsSync(join(monitoring, 'prometheus', file)), `${file} is missing`);
    const text = JSON.stringify(config.scrape_configs);
    assert.match(text, /"ingester"/);
    assert.match(text, /pipeline:9091/);
    assert.ok(existsSync(join(dirname(datasourcesDir), 'dashboards/poglytics.yml')));
  });
});
