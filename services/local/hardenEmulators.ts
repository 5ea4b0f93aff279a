import { readdirSync } from 'node:fs';
import type { IncomingMessage, Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

type ActionCallback = (error: unknown, result?: unknown) => void;
type Action = (store: unknown, data: unknown, callback: ActionCallback) => void;
type Emulator = 'kinesalite' | 'dynalite';

const INTERNAL_FAILURE: Record<Emulator, string> = {
  kinesalite: 'InternalFailure',
  dynalite: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
};

const hardened = new Set<Emulator>();
let listener: (error: Error) => void = () => undefined;

/**
 * kinesalite and dynalite throw any storage error of an action (`if (err) throw err` in their
 * request handlers), which kills the process that hosts them: one ENOSPC under kinesalite's kept
 * stream takes `npm start` down, and a call still in flight when an emulator closes its database
 * ("Database is closed") surfaces as an uncaught exception. The real services answer such a
 * failure with a retriable 500 (Kinesis InternalFailure, DynamoDB InternalServerError), so each
 * action's callback is wrapped to do the same (the producers retry or journal, the poller retries).
 * The action modules are replaced in the require cache before the emulator loads them, which is
 * the only seam either has. Idempotent; the latest `onStorageError` hears each failure.
 */
export function hardenEmulators(onStorageError: (error: Error) => void): void {
  listener = onStorageError;
  for (const emulator of ['kinesalite', 'dynalite'] as const) {
    if (hardened.has(emulator)) continue;
    hardened.add(emulator);
    wrapActions(emulator);
  }
}

function wrapActions(emulator: Emulator): void {
  const actionsDir = join(dirname(require.resolve(emulator)), 'actions');
  for (const file of readdirSync(actionsDir).filter((f) => f.endsWith('.js'))) {
    const path = join(actionsDir, file);
    const original = require(path) as Action;
    const wrapped: Action = (store, data, callback) =>
      original(store, data, (error, result) => {
        if (error && !(error as { statusCode?: number }).statusCode) {
          listener(error as Error);
          callback({ statusCode: 500, body: { __type: INTERNAL_FAILURE[emulator], message: (error as Error).message } });
          return;
        }
        callback(error, result);
      });
    require.cache[path]!.exports = wrapped;
  }
}

/**
 * Both emulators also throw a request's stream error (`req.on('error', function (err) { throw err })`):
 * a client that goes away mid-body (an ingester killed during a PutRecords upload, or the emulator
 * closing its connections) would take the hosting process down. Node reports such a request as
 * aborted, and no answer can reach the client anyway, so its error listener is replaced by one that
 * lets the request go. The request listener runs before the emulator's, which is the seam.
 */
export function hardenEmulatorServer(server: Server): void {
  server.prependListener('request', (request: IncomingMessage) => {
    const on = request.on.bind(request);
    request.on = ((event: string | symbol, listener: (...args: unknown[]) => void) =>
      on(event, event === 'error' ? () => undefined : listener)) as IncomingMessage['on'];
  });
}
