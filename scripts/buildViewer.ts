/**
 * Builds the web log viewer (web/viewer) with esbuild: one minified script and one stylesheet
 * named by their content hash, and index.html pointing at them. In memory for the read service's
 * first request in a source checkout (services/api/serveViewer.ts), or written to a folder for
 * the image: `node --import tsx scripts/buildViewer.ts OUTDIR` (scripts/bundle.mjs does).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ViewerFile {
  /** Its URL path: `/index.html` or `/assets/main-HASH.js`. */
  readonly path: string;
  readonly body: Buffer;
}

const VIEWER = fileURLToPath(new URL('../web/viewer/', import.meta.url));
/** Browsers of the last few years, phones included; the code needs nothing newer than ES2020. */
const TARGETS = ['chrome100', 'edge100', 'firefox100', 'safari15', 'ios15'];

export async function buildViewer(): Promise<ViewerFile[]> {
  // Imported here, not at the top: the image has the built files and no esbuild.
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: VIEWER,
    entryPoints: ['src/main.ts'],
    outdir: 'assets',
    entryNames: '[name]-[hash]',
    bundle: true,
    format: 'esm',
    target: TARGETS,
    minify: true,
    legalComments: 'none',
    write: false,
    logLevel: 'warning',
  });
  const assets = result.outputFiles.map((f) => ({ path: `/assets/${basename(f.path)}`, body: Buffer.from(f.contents) }));
  const script = assets.find((a) => a.path.endsWith('.js'));
  const style = assets.find((a) => a.path.endsWith('.css'));
  if (!script || !style) throw new Error(`viewer build: expected a script and a stylesheet, got ${assets.map((a) => a.path).join(', ')}`);
  const html = readFileSync(join(VIEWER, 'index.html'), 'utf8')
    .replace('{{script}}', basename(script.path))
    .replace('{{style}}', basename(style.path));
  return [{ path: '/index.html', body: Buffer.from(html) }, ...assets];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outdir = process.argv[2];
  if (!outdir) throw new Error('usage: node --import tsx scripts/buildViewer.ts OUTDIR');
  for (const file of await buildViewer()) {
    const target = join(outdir, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.body);
  }
}
