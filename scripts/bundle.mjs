#!/usr/bin/env node
// Builds the pipeline image's JavaScript (Dockerfile), so the container runs no TypeScript
// compiler: `node scripts/bundle.mjs OUTDIR` writes OUTDIR/poglytics.mjs (the `poglytics`
// command), OUTDIR/ingester.mjs (the ingester processes `poglytics local` supervises; found beside
// the command by services/local/localPipeline.ts), the files they read at run time, and the web log
// viewer's built files in OUTDIR/viewer (served by services/api/serveViewer.ts; a source checkout
// builds them in memory instead, with the esbuild the image does not have).
// Packages stay external and load from node_modules: better-sqlite3 and leveldown (under the
// emulators) are native, and pg, kinesalite and dynalite resolve files by path.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const outdir = resolve(process.argv[2] ?? join(root, 'dist'));
mkdirSync(outdir, { recursive: true });

await build({
  absWorkingDir: root,
  entryPoints: { poglytics: 'cli/run.ts', ingester: 'services/ingester/main.ts' },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  packages: 'external',
  // Only reached without OUTDIR/viewer, which this script writes.
  external: ['*/scripts/buildViewer.ts'],
  platform: 'node',
  target: 'node22',
  format: 'esm',
  sourcemap: true,
  logLevel: 'warning',
});
// renderReportHtml reads it beside itself (import.meta.url), which in the bundle is OUTDIR.
copyFileSync(join(root, 'core/reports/html/charts.client.js'), join(outdir, 'charts.client.js'));

const viewer = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/buildViewer.ts'), join(outdir, 'viewer')], {
  stdio: 'inherit',
});
if (viewer.status !== 0) throw new Error(`viewer build failed (${viewer.status ?? viewer.signal})`);
