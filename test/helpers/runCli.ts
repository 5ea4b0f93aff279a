import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * `poglytics VERB ARGS…` as a user runs it (bin/poglytics.js), on local files: DATA_DIR is
 * `dataDir` and CONTROL_TABLE_NAME is unset, so the admin stores are the files under DATA_DIR.
 */
export function runLocalCli(dataDir: string, verb: string, ...args: string[]): SpawnSyncReturns<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
  delete env.CONTROL_TABLE_NAME;
  return spawnSync(process.execPath, [join(ROOT, 'bin/poglytics.js'), verb, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env,
    timeout: 30_000,
  });
}
