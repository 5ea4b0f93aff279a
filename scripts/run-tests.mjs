#!/usr/bin/env node
// Node 20 does not expand globs after --test, so the test files are listed here.
// `npm test -- unit` runs only the files whose path contains "unit";
// `npm test -- --exclude=e2e/` runs all but the files whose path contains "e2e/".
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const filter = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const excludes = process.argv
  .slice(2)
  .filter((a) => a.startsWith('--exclude='))
  .map((a) => a.slice('--exclude='.length));
const flags = process.argv.slice(2).filter((a) => a.startsWith('-') && !a.startsWith('--exclude='));

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' || name === 'helpers' ? [] : walk(path);
    return /\.test\.ts$/.test(name) ? [path] : [];
  });
}

const files = walk('test')
  .sort()
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .filter((f) => !excludes.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error(`no test files match ${[...filter, ...excludes.map((x) => `--exclude=${x}`)].join(' ')}`);
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
// A hung test fails after this long instead of hanging CI (the longest fault test takes about 3 minutes).
const timeoutMs = process.env.TEST_TIMEOUT_MS ?? '600000';
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    `--test-timeout=${timeoutMs}`,
    '--test-reporter=spec',
    ...flags,
    ...files,
  ],
  {
    stdio: 'inherit',
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
  },
);
process.exit(result.status ?? 1);
