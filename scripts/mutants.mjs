#!/usr/bin/env node
// Mutation guard: plants each mutant of test/mutants/mutants.json (one small named change to one
// place) in a scratch copy of the repository, runs only the test files named for it, and reports
// which test killed it. Exits non-zero when a mutant survives or no longer applies (its snippet
// must occur exactly once in its file: code that moved is an error, never a pass).
//   npm run mutants                 every mutant
//   npm run mutants -- sqlite dedupe  only mutants whose name contains one of the words
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

const root = resolve(import.meta.dirname, '..');
const listFile = join(root, 'test', 'mutants', 'mutants.json');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
// Three workers at most (two cores): a mutant's test file mostly waits on timers and servers (a
// run of all of them with two workers kept a third of the two cores busy).
const workers = Math.min(3, Number(process.env.MUTANTS_CONCURRENCY ?? '3'));
// A mutant may make a test hang instead of fail: the per-test timeout (a mutant's `timeoutMs`
// overrides it) turns that into a kill, and the file as a whole gets a minute more.
const defaultTestTimeoutMs = Number(process.env.MUTANTS_TEST_TIMEOUT_MS ?? '120000');

const all = JSON.parse(readFileSync(listFile, 'utf8'));
const mutants = all.filter((m) => filters.length === 0 || filters.some((f) => m.name.includes(f)));

/** Why a mutant could not be run: its snippet is gone, repeated, or it names no test. */
function applyError(scratch, source, m) {
  if (!Array.isArray(m.tests) || m.tests.length === 0) return 'names no test';
  const missing = m.tests.filter((t) => readOrUndefined(join(scratch, t)) === undefined);
  if (missing.length > 0) return `names missing test files ${missing.join(', ')}`;
  if (source === undefined) return `${m.file} does not exist`;
  const count = source.split(m.find).length - 1;
  if (count !== 1) return `snippet occurs ${count} times in ${m.file} (must be exactly once)`;
  if (m.find === m.replace) return 'replacement equals the snippet';
  return undefined;
}

function readOrUndefined(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function makeScratch() {
  const dir = mkdtempSync(join(tmpdir(), 'poglytics-mutants-'));
  const skip = new Set(['node_modules', '.git', 'cdk.out', 'data']);
  cpSync(root, dir, {
    recursive: true,
    filter: (src) => {
      const rel = src.slice(root.length + 1);
      const top = rel.split('/')[0];
      return !skip.has(top) && !rel.startsWith('test/.tmp');
    },
  });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** Runs one test file; resolves with the names of its failed tests (none when it passed), or why it crashed. */
function runTestFile(cwd, file, testTimeoutMs) {
  const fileTimeoutMs = testTimeoutMs + 60_000;
  // Its own temporary folder: what the file started there (a Postgres cluster, an ingester) is
  // found and stopped after it, even when it was killed before its teardown ran.
  const tmp = mkdtempSync(join(tmpdir(), 'poglytics-mutant-run-'));
  // Open like /tmp: tests run some servers as other users (Postgres as `postgres`, uid 65534).
  chmodSync(tmp, 0o1777);
  // tsx keeps its compile cache in the temporary folder: share the usual one.
  const tsxCache = `tsx-${process.getuid?.() ?? 0}`;
  mkdirSync(join(tmpdir(), tsxCache), { recursive: true });
  symlinkSync(join(tmpdir(), tsxCache), join(tmp, tsxCache));
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-concurrency=1', `--test-timeout=${testTimeoutMs}`, '--test-reporter=tap', file],
      {
        cwd,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          ...process.env,
          CDK_DISABLE_CLI_TELEMETRY: 'true',
          TMPDIR: tmp,
        },
      },
    );
    let out = '';
    let timedOut = false;
    let stopping = false;
    const killGroup = () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    };
    // The first failed test kills the mutant: the rest of the file need not run. A moment's
    // grace lets the enclosing suites' lines arrive, so the innermost name is reported.
    child.stdout.on('data', (d) => {
      out += d;
      if (!stopping && /^\s*not ok \d+ - (?!.*# (?:TODO|SKIP))/im.test(out)) {
        stopping = true;
        setTimeout(killGroup, 300);
      }
    });
    child.stderr.on('data', () => {});
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, fileTimeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      killLeftovers(tmp);
      try {
        rmSync(tmp, { recursive: true, force: true });
      } catch (error) {
        console.error(`could not remove ${tmp}: ${error.message}`);
      }
      // The innermost failed test is the most specific name; TAP nests subtests by indentation.
      const failed = [...out.matchAll(/^(\s*)not ok \d+ - (.*)$/gm)]
        .map((m) => ({ depth: m[1].length, name: m[2].trim() }))
        .sort((a, b) => b.depth - a.depth)
        .map((f) => f.name)
        .filter((name) => !name.endsWith(file));
      if (timedOut) done({ failed: [`(file timed out after ${fileTimeoutMs} ms)`] });
      // A file that fails without a failing test crashed while loading: that proves nothing.
      else if (code !== 0 && failed.length === 0)
        done({
          crashed:
            out
              .split('\n')
              .filter((l) => /Error/.test(l))
              .slice(0, 2)
              .join(' ')
              .slice(0, 300) || `exit code ${code}`,
        });
      else done({ failed });
    });
  });
}

/** Kills every process still running from `tmp` (its command line or environment names it). */
function killLeftovers(tmp) {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const cmdline = readOrUndefined(`/proc/${pid}/cmdline`) ?? '';
    const environ = readOrUndefined(`/proc/${pid}/environ`) ?? '';
    if (!cmdline.includes(tmp) && !environ.split('\0').includes(`TMPDIR=${tmp}`)) continue;
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {}
  }
  // A file killed mid-test may leave a filesystem mounted there (the full-disk tests' tmpfs).
  const mounts = (readOrUndefined('/proc/mounts') ?? '').split('\n').map((line) => line.split(' ')[1] ?? '');
  for (const point of mounts.filter((p) => p.startsWith(`${tmp}/`)).reverse()) {
    spawnSync('umount', ['-l', point]);
  }
}

async function runMutant(scratch, m) {
  const path = join(scratch, m.file);
  const original = readOrUndefined(path);
  const error = applyError(scratch, original, m);
  if (error) return { name: m.name, status: 'ERROR', detail: error };
  const started = Date.now();
  writeFileSync(
    path,
    original.replace(m.find, () => m.replace),
  );
  try {
    for (const file of m.tests) {
      const { failed, crashed } = await runTestFile(scratch, file, m.timeoutMs ?? defaultTestTimeoutMs);
      if (crashed !== undefined)
        return { name: m.name, status: 'ERROR', detail: `${file} crashed before its tests ran: ${crashed}`, ms: Date.now() - started };
      if (failed.length > 0) {
        return { name: m.name, status: 'killed', detail: `${file} › ${failed[0]}`, ms: Date.now() - started };
      }
    }
    return { name: m.name, status: 'SURVIVED', detail: `passed ${m.tests.join(', ')}`, ms: Date.now() - started };
  } finally {
    writeFileSync(path, original);
  }
}

async function main() {
  if (mutants.length === 0) {
    console.error(`no mutant matches ${filters.join(' ')}`);
    process.exit(1);
  }
  const names = new Set();
  for (const m of all) {
    if (names.has(m.name)) throw new Error(`mutant name ${m.name} is used twice`);
    names.add(m.name);
  }
  const started = Date.now();
  const scratches = Array.from({ length: Math.min(workers, mutants.length) }, makeScratch);
  const results = [];
  let next = 0;
  await Promise.all(
    scratches.map(async (scratch) => {
      while (next < mutants.length) {
        const m = mutants[next++];
        const r = await runMutant(scratch, m);
        results.push(r);
        const secs = r.ms === undefined ? '' : ` (${(r.ms / 1000).toFixed(1)} s)`;
        console.log(`${r.status.padEnd(8)} ${r.name}: ${r.detail}${secs}`);
      }
    }),
  );
  for (const dir of scratches) rmSync(dir, { recursive: true, force: true });
  const bad = results.filter((r) => r.status !== 'killed');
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`\n${results.length - bad.length}/${results.length} mutants killed in ${secs} s`);
  for (const r of bad) console.log(`  ${r.status} ${r.name}: ${r.detail}`);
  process.exit(bad.length > 0 ? 1 : 0);
}

await main();
