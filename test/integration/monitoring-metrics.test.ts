import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { createMetrics } from '../../core/metrics.ts';
import { startMetricsServer, type MetricsServer } from '../../core/startMetricsServer.ts';
import { MONITORING_DIR, allPanels, loadDashboards } from '../helpers/grafanaDashboards.ts';
import { SYNTHETIC_SERIES, metricNamesIn, seriesNamesInExposition } from '../helpers/promqlMetricNames.ts';

/**
 * Every PromQL expression of the dashboards and every alert and recording rule reads only series
 * that the code exports: the names come from a live scrape of a started metrics server (the
 * registry every runtime builds with createMetrics), not from a list kept beside the dashboards.
 */

type Rule = { alert?: string; record?: string; expr: string };
const rulesDir = join(MONITORING_DIR, 'prometheus/rules');

function ruleFiles(): { file: string; rules: Rule[] }[] {
  return readdirSync(rulesDir)
    .filter((f) => /\.ya?ml$/.test(f) && !/\.test\.ya?ml$/.test(f))
    .map((file) => ({
      file,
      rules: (parse(readFileSync(join(rulesDir, file), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules),
    }));
}

function promqlUses(): { where: string; name: string }[] {
  const used: { where: string; name: string }[] = [];
  for (const { file, dashboard } of loadDashboards()) {
    for (const panel of allPanels(dashboard.panels)) {
      for (const target of panel.targets ?? []) {
        if (target.expr !== undefined)
          used.push(...metricNamesIn(target.expr).map((name) => ({ where: `${file} "${panel.title}" ${target.refId ?? ''}`, name })));
      }
    }
  }
  for (const { file, rules } of ruleFiles()) {
    for (const rule of rules)
      used.push(...metricNamesIn(rule.expr).map((name) => ({ where: `${file} ${rule.alert ?? rule.record}`, name })));
  }
  return used;
}

describe('PromQL in dashboards and rules against a live /metrics scrape', () => {
  let server: MetricsServer;
  let scraped: Set<string>;

  before(async () => {
    server = await startMetricsServer({
      port: 0,
      host: '127.0.0.1',
      registry: createMetrics().registry,
      readiness: () => ({ ready: true, detail: {} }),
    });
    const response = await fetch(`${server.url}/metrics`);
    assert.equal(response.status, 200);
    scraped = seriesNamesInExposition(await response.text());
  });
  after(() => server?.close());

  it('reads metric names out of PromQL, skipping functions, labels and durations', () => {
    assert.deepEqual(
      metricNamesIn(
        'histogram_quantile(0.99, sum by (le, instance) (rate(a_seconds_bucket{job="x", le!="1"}[5m]))) > 10 and on (instance) b_total offset 1h',
      ),
      ['a_seconds_bucket', 'b_total'],
    );
    assert.deepEqual(metricNamesIn('sum(rate(c_total[$__rate_interval])) / clamp_min(d, 1)'), ['c_total', 'd']);
    assert.deepEqual(metricNamesIn('{__name__="e_total", job="x"}'), ['e_total']);
  });

  it('scrapes the series every runtime registers, histograms with their suffixes', () => {
    for (const name of [
      'twitch_scraper_messages_total',
      'poglytics_event_lag_seconds_bucket',
      'poglytics_event_lag_seconds_count',
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      assert.ok(scraped.has(name), `${name} is not in the scrape`);
    }
  });

  it('uses only scraped series (or recording rules, or Prometheus own) in every dashboard expression and rule', () => {
    const recorded = new Set(ruleFiles().flatMap(({ rules }) => rules.flatMap((r) => (r.record ? [r.record] : []))));
    const used = promqlUses();
    const unknown = used.filter(({ name }) => !scraped.has(name) && !recorded.has(name) && !SYNTHETIC_SERIES.has(name));
    assert.deepEqual(unknown, [], 'series that no runtime exports');
    // Guard against an extractor that finds nothing: every alert and most panels read metrics.
    assert.ok(used.length > 60, `only ${used.length} metric references found`);
    const alerts = ruleFiles().flatMap(({ rules }) => rules.filter((r) => r.alert));
    for (const alert of alerts) assert.ok(metricNamesIn(alert.expr).length > 0, `no metric found in alert ${alert.alert}`);
  });
});
