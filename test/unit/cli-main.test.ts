import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/poglytics.js');

function poglytics(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
}

describe('the poglytics command', () => {
  it('lists every verb on --help and exits 0', () => {
    const result = poglytics(['--help']);
    assert.equal(result.status, 0);
    for (const verb of ['local', 'sim', 'parse', 'import', 'migrate', 'query', 'report'])
      assert.match(result.stdout, new RegExp(`^  ${verb} `, 'm'));
  });

  it('reports a bad setting by name with exit code 2, without a stack trace', () => {
    const result = poglytics(['local', '--duration', '1'], { MAX_CHANNELS: 'lots' });
    assert.equal(result.status, 2, result.stderr);
    assert.equal(result.stderr.trim(), 'poglytics local: MAX_CHANNELS: must be an integer, got "lots"');
  });

  it('rejects an unknown verb with exit code 1', () => {
    const result = poglytics(['frobnicate']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /unknown verb "frobnicate"/);
  });
});
