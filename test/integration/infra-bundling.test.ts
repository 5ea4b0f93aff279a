import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { REPO_ROOT } from '../../infra/paths.ts';

// Every other synth skips bundling (POGLYTICS_SKIP_BUNDLING=1); this one runs the real esbuild
// bundling of every Lambda and builds the ingester bundle the way its Dockerfile does, then loads
// each built file: a bundle that cannot resolve a module or throws at import fails here, not on AWS.

const CDK_CLI = join(REPO_ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
const ESBUILD = join(REPO_ROOT, 'node_modules', '.bin', 'esbuild');

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Imports a built file in a fresh Node process and prints the type of the named export. */
async function exportType(file: string, name: string): Promise<string> {
  const script = `import(${JSON.stringify(file)}).then((m) => console.log('export:' + typeof m[${JSON.stringify(name)}]), (e) => { console.error(e); process.exit(3); })`;
  // The region only: module scope may create SDK clients, never a network call.
  const { code, output } = await run(process.execPath, ['--input-type=module', '-e', script], {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'x',
  });
  assert.equal(code, 0, `importing ${file} failed:\n${output}`);
  return /export:(\w+)/.exec(output)?.[1] ?? output;
}

describe('bundling (no POGLYTICS_SKIP_BUNDLING)', () => {
  const dirs: string[] = [];
  after(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  test('bundles every Lambda with esbuild during synth, and each bundle exports its handler', async () => {
    // Prepare
    const outdir = await mkdtemp(join(tmpdir(), 'poglytics-bundle-'));
    dirs.push(outdir);
    // Act
    const env: Record<string, string> = { CI: 'true' };
    const synth = await run(process.execPath, [CDK_CLI, 'synth', '--no-notices', '-q', '-o', outdir, '-c', 'sink=postgres'], {
      ...env,
      POGLYTICS_SKIP_BUNDLING: '',
    });
    // Assess
    assert.equal(synth.code, 0, synth.output);
    const template = JSON.parse(await readFile(join(outdir, 'Poglytics.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: { Handler?: string }; Metadata?: Record<string, string> }>;
    };
    const ours = Object.entries(template.Resources).filter(([, r]) => {
      const asset = r.Metadata?.['aws:asset:path'];
      return r.Type === 'AWS::Lambda::Function' && asset !== undefined && existsSync(join(outdir, asset, 'index.mjs'));
    });
    // channel-refresher, stream-consumer, migrate, lease-reaper, read-api: every entry under lambdas/.
    assert.ok(ours.length >= 5, `only ${ours.length} bundled functions: ${ours.map(([id]) => id).join(', ')}`);
    for (const [id, resource] of ours) {
      const [file, name] = resource.Properties.Handler!.split('.');
      const bundle = join(outdir, resource.Metadata!['aws:asset:path']!, `${file}.mjs`);
      assert.equal(await exportType(bundle, name!), 'function', `${id}: ${resource.Properties.Handler} is not a function`);
    }
    // The read API serves the web log viewer from the files built beside its bundle.
    const readApi = ours.filter(([id]) => id.startsWith('ReadApi'));
    assert.equal(readApi.length, 1, `read-api functions: ${readApi.map(([id]) => id).join(', ')}`);
    const assets = join(outdir, readApi[0]![1].Metadata!['aws:asset:path']!);
    assert.match(await readFile(join(assets, 'viewer', 'index.html'), 'utf8'), /<script type="module" src="\/assets\/main-[^"]+\.js"/);
  });

  test('bundles the ingester with the esbuild command of its Dockerfile, and the bundle starts', async () => {
    // Prepare: the exact esbuild arguments of services/ingester/Dockerfile
    const dockerfile = await readFile(join(REPO_ROOT, 'services', 'ingester', 'Dockerfile'), 'utf8');
    const command = /RUN npx esbuild ((?:[^\n]*\\\n)*[^\n]*)/.exec(dockerfile)?.[1]?.replace(/\\\n/g, ' ');
    assert.ok(command, 'no esbuild command in the Dockerfile');
    const args = [...command.matchAll(/--banner:js="([^"]*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? `--banner:js=${m[1]}` : m[2]!));
    const outdir = await mkdtemp(join(tmpdir(), 'poglytics-ingester-bundle-'));
    dirs.push(outdir);
    const outfile = join(outdir, 'ingester.mjs');
    // Act
    const built = await run(
      ESBUILD,
      args.map((a) => (a.startsWith('--outfile=') ? `--outfile=${outfile}` : a)),
    );
    assert.equal(built.code, 0, built.output);
    // The bundle runs down to its configuration check: a setting it refuses names itself (exit 2).
    const started = await run(process.execPath, [outfile], { KINESIS_SPILL_AFTER_MS: 'soon', STREAM_NAME: 'x', CONTROL_TABLE_NAME: 'x' });
    // Assess
    assert.equal(started.code, 2, started.output);
    assert.match(started.output, /KINESIS_SPILL_AFTER_MS: must be an integer, got "soon"/);
  });
});
