import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/**
 * The bytes of `input`, gunzipped when they start with gzip's magic bytes (1f 8b) whatever the
 * file is called (`chat.log.gz`, a `.log` that is really gzip, gzip on stdin); any other input
 * passes through unchanged. Concatenated gzip members are read one after the other. A corrupt
 * or truncated gzip stream throws (zlib's error) after the bytes decoded before the damage.
 */
export async function* gunzipIfCompressed(input: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  const iterator = input[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let ended = false;
  // Two bytes decide; a reader may hand them over one at a time.
  while (headBytes < 2) {
    const next = await iterator.next();
    if (next.done === true) {
      ended = true;
      break;
    }
    const chunk = toBuffer(next.value);
    head.push(chunk);
    headBytes += chunk.length;
  }
  const first = head.length === 1 ? head[0]! : Buffer.concat(head);
  async function* all(): AsyncGenerator<Buffer> {
    if (first.length > 0) yield first;
    if (ended) return;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield toBuffer(next.value);
  }
  if (first[0] !== GZIP_MAGIC_0 || first[1] !== GZIP_MAGIC_1) {
    yield* all();
    return;
  }
  const gunzip = createGunzip();
  // An error anywhere destroys gunzip with it, which makes the loop below throw it; the
  // callback has nothing left to do.
  pipeline(Readable.from(all()), gunzip, () => {});
  for await (const chunk of gunzip) yield chunk as Buffer;
}

function toBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}
