import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { HttpError } from './errors.ts';
import { chooseEncoding } from './openBody.ts';

/** A viewer file ready to send, compressed once. */
interface ServedFile {
  readonly type: string;
  readonly cache: string;
  readonly identity: Buffer;
  readonly gzip: Buffer;
  readonly br: Buffer;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** The page talks to this service only; emote images are the one thing it fetches from elsewhere. */
const CSP =
  "default-src 'self'; img-src 'self' data: https://static-cdn.jtvnw.net; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** The built files beside the bundle in the image (scripts/bundle.mjs writes dist/viewer). */
const PREBUILT = fileURLToPath(new URL('./viewer/', import.meta.url));

async function loadFiles(): Promise<Map<string, ServedFile>> {
  let files: { path: string; body: Buffer }[];
  if (existsSync(join(PREBUILT, 'index.html'))) {
    const assets = readdirSync(join(PREBUILT, 'assets')).map((name) => `/assets/${name}`);
    files = ['/index.html', ...assets].map((path) => ({ path, body: readFileSync(join(PREBUILT, path)) }));
  } else {
    // A source checkout: built from web/viewer on first use, so it always matches the source.
    const { buildViewer } = await import('../../scripts/buildViewer.ts');
    files = await buildViewer();
  }
  return new Map(
    files.map(({ path, body }) => [
      path,
      {
        type: TYPES[extname(path)] ?? 'application/octet-stream',
        // Assets are named by their content hash; the page names the current ones.
        cache: path === '/index.html' ? 'no-cache' : 'public, max-age=31536000, immutable',
        identity: body,
        gzip: gzipSync(body, { level: 9 }),
        br: brotliCompressSync(body),
      },
    ]),
  );
}

let viewerFiles: Promise<Map<string, ServedFile>> | undefined;

export const isViewerPath = (path: string) => path === '/' || path.startsWith('/assets/');

/** The web log viewer at `/` and its assets at `/assets/…` (web/viewer, built by scripts/buildViewer.ts). */
export async function serveViewer(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  viewerFiles ??= loadFiles().catch((error: unknown) => {
    viewerFiles = undefined;
    throw error;
  });
  const file = (await viewerFiles).get(path === '/' ? '/index.html' : path);
  if (file === undefined) throw new HttpError(404, 'Not found');
  const encoding = chooseEncoding(req.headers['accept-encoding']);
  const body = encoding === undefined ? file.identity : file[encoding];
  res.writeHead(200, {
    'Content-Type': file.type,
    'Content-Length': body.length,
    'Cache-Control': file.cache,
    'X-Content-Type-Options': 'nosniff',
    Vary: 'Accept-Encoding',
    ...(encoding === undefined ? {} : { 'Content-Encoding': encoding }),
    ...(path === '/' ? { 'Content-Security-Policy': CSP } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
