import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

type ActionCallback = (error: unknown, result?: unknown) => void;
type Action = (store: unknown, data: unknown, callback: ActionCallback) => void;

let hardened = false;
let listener: (error: Error) => void = () => undefined;

/**
 * kinesalite throws any storage error of an action (`if (err) throw err` in its request handler),
 * which kills the process that hosts it: with its data on disk, one ENOSPC takes `npm start` down.
 * Real Kinesis answers such a failure with a retriable 500 InternalFailure, so each action's
 * callback is wrapped to do the same (the producers retry or journal, the poller retries). The
 * action modules are replaced in the require cache before kinesalite loads them, which is the only
 * seam it has. Idempotent; the latest `onStorageError` hears each failure.
 */
export function hardenKinesalite(onStorageError: (error: Error) => void): void {
  listener = onStorageError;
  if (hardened) return;
  hardened = true;
  const actionsDir = join(dirname(require.resolve('kinesalite')), 'actions');
  for (const file of readdirSync(actionsDir).filter((f) => f.endsWith('.js'))) {
    const path = join(actionsDir, file);
    const original = require(path) as Action;
    const wrapped: Action = (store, data, callback) =>
      original(store, data, (error, result) => {
        if (error && !(error as { statusCode?: number }).statusCode) {
          listener(error as Error);
          callback({ statusCode: 500, body: { __type: 'InternalFailure', message: (error as Error).message } });
          return;
        }
        callback(error, result);
      });
    require.cache[path]!.exports = wrapped;
  }
}
