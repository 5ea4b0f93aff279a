import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream';
import { constants, createBrotliCompress, createGzip } from 'node:zlib';

/** The encoding the client accepts that we prefer: brotli, then gzip, else none (q=0 refuses one). */
export function chooseEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | undefined {
  const accepted = new Set<string>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name && (q === undefined || Number(q.slice(2)) > 0)) accepted.add(name);
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip') || accepted.has('*')) return 'gzip';
  return undefined;
}

/**
 * Sends the status and headers and returns where the body goes: the response itself, or a
 * compressor piped into it. Levels favour speed (brotli 4, gzip 5): a channel-day is streamed
 * as it is read, and the database, not the ratio, should set the pace.
 */
export function openBody(req: IncomingMessage, res: ServerResponse, status: number, headers: OutgoingHttpHeaders): Writable {
  const encoding = chooseEncoding(req.headers['accept-encoding']);
  res.setHeader('Vary', 'Accept-Encoding');
  if (encoding === undefined) {
    res.writeHead(status, headers);
    return res;
  }
  res.writeHead(status, { ...headers, 'Content-Encoding': encoding });
  const compressor =
    encoding === 'br'
      ? createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 4, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT } })
      : createGzip({ level: 5 });
  // A client that goes away ends the pipeline; the writer notices through the response's `close`.
  pipeline(compressor, res, () => {});
  return compressor;
}
