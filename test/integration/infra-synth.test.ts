import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { REPO_ROOT } from '../../infra/paths.ts';

/** The project's own CDK CLI (what `npx cdk` runs), called directly so npx can never go online. */
const CDK_CLI = join(REPO_ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');

/** Runs the real `cdk synth --no-notices -q`, offline: no lookups, no notices, no telemetry, bundling skipped. */
function cdkSynth(outdir: string, context: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const args = [CDK_CLI, 'synth', '--no-notices', '-q', '-o', outdir, ...Object.entries(context).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', POGLYTICS_SKIP_BUNDLING: '1', CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('npx cdk synth', () => {
  const dirs: string[] = [];
  const outdir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'poglytics-cdk-'));
    dirs.push(dir);
    return dir;
  };
  after(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  for (const sink of ['clickhouse', 'postgres'] as const) {
    test(`synthesizes the ${sink} stack offline with cdk-nag passing`, async () => {
      const dir = await outdir();
      const { code, output } = await cdkSynth(dir, { sink });
      assert.equal(code, 0, output);
      const template = JSON.parse(await readFile(join(dir, 'Poglytics.template.json'), 'utf8')) as {
        Resources: Record<string, { Type: string }>;
      };
      const types = Object.values(template.Resources).map((r) => r.Type);
      assert.equal(types.filter((t) => t === 'AWS::RDS::DBInstance').length, sink === 'postgres' ? 1 : 0);
      assert.ok(types.includes('AWS::Lambda::EventSourceMapping'));
      assert.doesNotMatch(output, /AwsSolutions-/);
    });
  }

  test('refuses an invalid configuration and names the setting', async () => {
    const { code, output } = await cdkSynth(await outdir(), { sink: 'mysql' });
    assert.notEqual(code, 0);
    assert.match(output, /sink: Invalid enum value/);
  });
});
