import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { allPanels, loadDashboards } from '../helpers/grafanaDashboards.ts';

const monitoring = fileURLToPath(new URL('../../monitoring/', import.meta.url));
const datasourcesDir = join(monitoring, 'grafana/provisioning/datasources');

function provisionedDatasources(): Map<string, string> {
  const byUid = new Map<string, string>();
  for (const file of readdirSync(datasourcesDir).filter((f) => /\.ya?ml$/.test(f))) {
    const config = parse(readFileSync(join(datasourcesDir, file), 'utf8')) as { datasources: { uid: string; type: string }[] };
    for (const ds of config.datasources) byUid.set(ds.uid, ds.type);
  }
  return byUid;
}

describe('monitoring configuration', () => {
  it('has valid dashboards whose every datasource reference is provisioned, with the right type', () => {
    const datasources = provisionedDatasources();
    assert.deepEqual([...datasources.keys()].sort(), ['poglytics-clickhouse', 'poglytics-postgres', 'poglytics-prometheus']);
    const dashboards = loadDashboards();
    assert.deepEqual(dashboards.map((d) => d.file).sort(), [
      'chat-analytics-clickhouse.json',
      'chat-analytics-postgres.json',
      'ingest-operations.json',
    ]);
    assert.equal(new Set(dashboards.map((d) => d.dashboard.uid)).size, dashboards.length, 'dashboard uids must be unique');

    for (const { file, dashboard } of dashboards) {
      const panels = allPanels(dashboard.panels);
      assert.ok(panels.length > 5, `${file} has hardly any panels`);
      assert.equal(new Set(panels.map((p) => p.id)).size, panels.length, `${file}: panel ids must be unique`);
      const refs = [
        ...panels
          .filter((p) => p.type !== 'row')
          .flatMap((p) => [
            { where: `${file} "${p.title}"`, ds: p.datasource },
            ...(p.targets ?? []).map((t) => ({ where: `${file} "${p.title}" target`, ds: t.datasource })),
          ]),
        ...(dashboard.templating?.list ?? [])
          .filter((v) => v.datasource)
          .map((v) => ({ where: `${file} variable $${v.name}`, ds: v.datasource })),
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

  it('chat analytics dashboards use their own datasource only (test/integration/dashboards-queries.test.ts runs their SQL)', () => {
    for (const [file, uid] of [
      ['chat-analytics-clickhouse.json', 'poglytics-clickhouse'],
      ['chat-analytics-postgres.json', 'poglytics-postgres'],
    ] as const) {
      const dashboard = loadDashboards().find((d) => d.file === file)!.dashboard;
      for (const panel of allPanels(dashboard.panels).filter((p) => p.type !== 'row'))
        assert.equal(panel.datasource?.uid, uid, `${file} "${panel.title}"`);
    }
  });

  it('points Prometheus at rule files that exist and at the compose services', () => {
    const config = parse(readFileSync(join(monitoring, 'prometheus/prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: unknown[];
    };
    for (const file of config.rule_files) assert.ok(existsSync(join(monitoring, 'prometheus', file)), `${file} is missing`);
    const text = JSON.stringify(config.scrape_configs);
    assert.match(text, /"ingester"/);
    assert.match(text, /pipeline:9091/);
    assert.ok(existsSync(join(dirname(datasourcesDir), 'dashboards/poglytics.yml')));
  });
});
