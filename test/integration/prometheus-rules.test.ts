import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const rulesDir = fileURLToPath(new URL('../../monitoring/prometheus/rules/', import.meta.url));
const rulesFile = `${rulesDir}poglytics.rules.yml`;
const testsFile = `${rulesDir}poglytics.rules.test.yml`;

function promtoolPresent(): boolean {
  return spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;
}

// Locally a missing promtool skips with a reason; in CI (process.env.CI set) it fails instead.
const skip = !promtoolPresent() && !process.env.CI ? 'promtool is not installed (apt-get install -y prometheus); CI runs this test' : false;

function promtool(args: string[]): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd: rulesDir, encoding: 'utf8', timeout: 30_000 });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

type RuleFile = { groups: { name: string; rules: { alert?: string; expr: string }[] }[] };
type RuleTests = { tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[] };

describe('Prometheus alert rules', () => {
  it('pass promtool check rules', { skip }, () => {
    const { status, output } = promtool(['check', 'rules', rulesFile]);
    assert.equal(status, 0, output);
    assert.match(output, /SUCCESS/);
  });

  it('are loaded by a scrape configuration that passes promtool check config', { skip }, () => {
    const { status, output } = promtool(['check', 'config', fileURLToPath(new URL('../prometheus.yml', `file://${rulesDir}`))]);
    assert.equal(status, 0, output);
    assert.match(output, /SUCCESS: 1 rule files found/);
  });

  it('pass their promtool unit tests', { skip }, () => {
    const { status, output } = promtool(['test', 'rules', testsFile]);
    assert.equal(status, 0, output);
    assert.match(output, /SUCCESS/);
  });

  it('have a unit test in which each alert fires and one in which it stays quiet', () => {
    const rules = parse(readFileSync(rulesFile, 'utf8')) as RuleFile;
    const tests = parse(readFileSync(testsFile, 'utf8')) as RuleTests;
    const alerts = rules.groups.flatMap((g) => g.rules.map((r) => r.alert)).filter((a): a is string => a !== undefined);
    const cases = tests.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const alert of alerts) {
      const own = cases.filter((c) => c.alertname === alert);
      assert.ok(
        own.some((c) => (c.exp_alerts ?? []).length > 0),
        `${alert} has no test in which it fires`,
      );
      assert.ok(
        own.some((c) => (c.exp_alerts ?? []).length === 0),
        `${alert} has no test in which it stays quiet`,
      );
    }
    assert.ok(alerts.length >= 10, `expected the full rule set, found ${alerts.length} alerts`);
  });
});
