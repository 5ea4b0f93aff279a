import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { parseVerbArgs } from '../../cli/parseVerbArgs.ts';

describe('parseVerbArgs', () => {
  const options = { size: { type: 'string' }, dry: { type: 'boolean' } } as const;

  it('names the option in one short line for an unknown option, a missing value and a stray argument', () => {
    assert.deepEqual(parseVerbArgs(['--frob'], options, false), { kind: 'error', message: 'unknown option --frob', option: '--frob' });
    assert.deepEqual(parseVerbArgs(['--size'], options, false), { kind: 'error', message: '--size needs a value', option: '--size' });
    assert.deepEqual(parseVerbArgs(['extra'], options, false), { kind: 'error', message: 'unexpected argument extra' });
  });

  it('returns help for --help and -h, and the values and positionals otherwise', () => {
    assert.deepEqual(parseVerbArgs(['-h'], options, false), { kind: 'help' });
    assert.deepEqual(parseVerbArgs(['--size', '3', '--help'], options, false), { kind: 'help' });
    const run = parseVerbArgs(['--size=3', '--dry', 'a', '-'], options, true);
    assert.equal(run.kind, 'run');
    assert.equal(run.kind === 'run' && run.values.size, '3');
    assert.equal(run.kind === 'run' && run.values.dry, true);
    assert.deepEqual(run.kind === 'run' && run.positionals, ['a', '-']);
  });
});

describe('every verb reports a bad argument in one line, with its exit code', () => {
  const cases: { args: string[]; line: RegExp; code: number }[] = [
    { args: ['import', '--frobnicate'], line: /^poglytics import: unknown option --frobnicate$/, code: 1 },
    { args: ['import', 'x.log', '--batch-size'], line: /^poglytics import: --batch-size needs a value$/, code: 1 },
    { args: ['import', 'x.log', '--batch-size', 'many'], line: /^poglytics import: --batch-size needs a non-negative integer$/, code: 1 },
    { args: ['parse', '--frobnicate'], line: /^poglytics parse: unknown option --frobnicate$/, code: 1 },
    { args: ['parse', '--received-at'], line: /^poglytics parse: --received-at needs a value$/, code: 1 },
    { args: ['parse', 'a', 'b'], line: /^poglytics parse: only one FILE can be given \(got "a" and "b"\)$/, code: 1 },
    { args: ['redrive', '--frobnicate'], line: /^poglytics redrive: unknown option --frobnicate$/, code: 2 },
    { args: ['redrive', '--dir'], line: /^poglytics redrive: --dir needs a value$/, code: 2 },
    { args: ['local', '--frobnicate'], line: /^poglytics local: --frobnicate: unknown option/, code: 2 },
    { args: ['local', '--duration'], line: /^poglytics local: --duration: needs a value$/, code: 2 },
    { args: ['local', '--sim-rate', 'fast'], line: /^poglytics local: --sim-rate: needs a non-negative integer$/, code: 2 },
    { args: ['sim', '--frobnicate'], line: /^poglytics sim: unknown option --frobnicate$/, code: 1 },
    { args: ['sim', '--port'], line: /^poglytics sim: --port needs a value$/, code: 1 },
    {
      args: ['sim', '--seed', '-1'],
      line: /^poglytics sim: --seed needs a value \(write --seed=VALUE for one that starts with -\)$/,
      code: 1,
    },
    { args: ['sim', '--seed=-1'], line: /^poglytics sim: --seed needs a non-negative integer$/, code: 1 },
  ];
  for (const c of cases) {
    it(c.args.join(' '), () => {
      const result = spawnSync(process.execPath, ['bin/poglytics.js', ...c.args], { encoding: 'utf8', input: '', timeout: 30_000 });
      const [first] = result.stderr.split('\n');
      assert.match(first ?? '', c.line, result.stderr);
      assert.equal(result.status, c.code);
      assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace');
      assert.equal(result.stdout, '');
    });
  }
});
