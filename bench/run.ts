/**
 * `npm run bench [-- --quick] [-- --only parse,sinks]`: runs every benchmark module in its own
 * child process (so one module's heap does not skew another's memory figures), then derives the
 * cost figures and writes bench/results/latest.json and latest.md.
 * `npm run bench -- --scale [--channels N] [--time-factor F]`: only bench/scale.ts (all of Twitch,
 * 100,000 channels by default) and the cost keys, into bench/results/scale.json and scale.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { costPerBillionEvents, naiveInputs, type CostInputs } from './costModel.ts';
import { databaseBill, databaseFigures } from './databaseBill.ts';
import { billFigures, describeConfiguration } from './monthlyBill.ts';
import { deployedConfiguration, productionBill, productionConfig } from './productionBill.ts';
import { flatFigures } from './resultFigures.ts';
import { machineFacts, updateReadme, writeResults } from './writeResults.ts';

const here = dirname(fileURLToPath(import.meta.url));
const MODULES = ['parse', 'sim', 'refresher', 'sinks', 'roundTrip', 'ingest', 'e2e', 'faults', 'api', 'search', 'viewer'] as const;

function argValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function runModuleInChild(name: string, quick: boolean, env: NodeJS.ProcessEnv = {}): Promise<Record<string, number>> {
  const out = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  const file = join(out, 'result.json');
  try {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--expose-gc', join(here, 'runOne.ts'), name, quick ? 'quick' : 'full', file],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, ...env },
        // Quick sinks writes and reads a 100,000-event channel-day on three sinks (and two layouts
        // each); on the shared two-core machine that passed 240 s once Postgres's reads joined.
        timeout: quick ? 600_000 : 1_800_000,
      },
    );
    if (child.status !== 0 || !existsSync(file)) throw new Error(child.error?.message ?? `exited with ${child.status ?? child.signal}`);
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export function deriveCost(figures: Record<string, number>): Record<string, number> {
  const bytesPerEvent = figures['kinesis.bytes_per_event'];
  const eventsPerRecord = figures['kinesis.events_per_record'];
  const ingestRate = figures['ingest.events_per_s'];
  const sinkRate = figures['sink.clickhouse.rows_per_s'] ?? figures['sink.postgres.rows_per_s'];
  if (!bytesPerEvent || !eventsPerRecord || !ingestRate || !sinkRate) return {};
  const measured: CostInputs = {
    bytesPerEvent,
    eventsPerRecord,
    ingesterCpuSecondsPerEvent: 1 / ingestRate,
    ingesterGbPerVcpu: 2,
    consumerSecondsPerEvent: 1 / sinkRate,
    consumerMemoryGb: 1,
    eventsPerInvocation: Math.min(10_000, eventsPerRecord * 100),
  };
  const uncompressed = figures['kinesis.uncompressed_bytes_per_event'] ?? bytesPerEvent * 6;
  return {
    'cost.usd_per_billion_events': costPerBillionEvents(measured).usdPerBillionEvents,
    'cost.naive_usd_per_billion_events': costPerBillionEvents(naiveInputs(measured, uncompressed)).usdPerBillionEvents,
  };
}

/**
 * The monthly bill of all of Twitch (bench/monthlyBill.ts) from this run's measured figures and
 * the production stage's settings, the database side, and whether production.json deploys the
 * configuration the bill chose (1) or has drifted from it (0).
 */
export function deriveBill(figures: Record<string, number>): { figures: Record<string, number>; notes: string[] } {
  const { inputs, bill } = productionBill(figures);
  const production = productionConfig();
  const { spot: _spot, ...priced } = bill.chosen.configuration;
  const matches = JSON.stringify(deployedConfiguration(production)) === JSON.stringify(priced);
  const db = databaseBill({
    eventsPerMonth: inputs.eventsPerMonth,
    clickhouseBytesPerEvent: figures['storage.clickhouse.bytes_per_event'] ?? 60,
    postgresBytesPerEvent: figures['storage.postgres.bytes_per_event'] ?? 450,
    postgresMultiAz: production.database.multiAz,
  });
  return {
    figures: { ...billFigures(bill), ...databaseFigures(db), 'cost.production_matches_chosen': matches ? 1 : 0 },
    notes: [
      `Bill for all of Twitch (${inputs.channels.toLocaleString('en-US')} channels, ${inputs.eventsPerMonth.toExponential(1)} events a month, ${inputs.replicas} replicas, ${inputs.peakFactor}× peak): ${describeConfiguration(bill.chosen.configuration)}` +
        (bill.runnerUp
          ? `; runner-up $${bill.runnerUp.usdPerMonth.toFixed(0)}: ${describeConfiguration(bill.runnerUp.configuration)}`
          : ''),
    ],
  };
}

/**
 * The scale run: bench/scale.ts alone, then the cost keys from its figures and the last whole
 * run's (bench/results/latest.json supplies what scale.ts does not measure).
 */
async function runScale(): Promise<void> {
  const startedAt = new Date().toISOString();
  const env: NodeJS.ProcessEnv = {};
  const channels = argValue('--channels');
  const factor = argValue('--time-factor');
  if (channels !== undefined) env.SCALE_CHANNELS = channels;
  if (factor !== undefined) env.SCALE_TIME_FACTOR = factor;
  const errors: Record<string, string> = {};
  let figures: Record<string, number> = {};
  process.stderr.write('bench: scale…\n');
  const started = Date.now();
  try {
    figures = await runModuleInChild('scale', false, env);
    process.stderr.write(`bench: scale done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    errors.scale = (error as Error).message;
    process.stderr.write(`bench: scale failed: ${(error as Error).message}\n`);
  }
  const previous = flatFigures(join(here, 'results', 'latest.json'));
  const inputs = { ...previous, ...figures };
  const notes = [
    'scale.* from bench/scale.ts in this run; the cost keys from them and, for what it does not measure, bench/results/latest.json.',
  ];
  const cost = deriveCost(inputs);
  const bill = Object.keys(cost).length > 0 ? deriveBill(inputs) : { figures: {}, notes: [] };
  notes.push(...bill.notes);
  const { json, markdown } = writeResults(
    { figures: { ...figures, ...cost, ...bill.figures }, machine: machineFacts(), startedAt, quick: false, errors, notes },
    join(here, 'results'),
    'scale',
  );
  process.stdout.write(readFileSync(markdown, 'utf8'));
  process.stderr.write(`bench: wrote ${json} and ${markdown}\n`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--scale')) return runScale();
  const quick = process.argv.includes('--quick');
  const only = argValue('--only')?.split(',');
  const startedAt = new Date().toISOString();
  const figures: Record<string, number> = {};
  const errors: Record<string, string> = {};
  for (const name of MODULES) {
    if (only && !only.includes(name)) continue;
    if (!existsSync(join(here, `${name}.ts`))) {
      errors[name] = 'benchmark module missing';
      continue;
    }
    process.stderr.write(`bench: ${name}${quick ? ' (quick)' : ''}…\n`);
    const started = Date.now();
    try {
      Object.assign(figures, await runModuleInChild(name, quick));
      process.stderr.write(`bench: ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    } catch (error) {
      errors[name] = (error as Error).message;
      process.stderr.write(`bench: ${name} failed: ${(error as Error).message}\n`);
    }
  }
  Object.assign(figures, deriveCost(figures));
  const notes = ['Ratios compare figures measured side by side in the same run; absolute rates vary with the shared machine.'];
  if (!only) {
    const bill = deriveBill(figures);
    Object.assign(figures, bill.figures);
    notes.push(...bill.notes);
  }
  const { json, markdown } = writeResults(
    { figures, machine: machineFacts(), startedAt, quick, errors, notes },
    join(here, 'results'),
    only ? `only-${only.join('-')}` : 'latest',
  );
  const table = readFileSync(markdown, 'utf8');
  process.stdout.write(table);
  if (!only && updateReadme(join(here, '..', 'README.md'), table)) process.stderr.write('bench: updated the README Performance section\n');
  process.stderr.write(`bench: wrote ${json} and ${markdown}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
