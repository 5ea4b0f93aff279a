import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { describeTarget, meetsTarget } from './targets.ts';

export interface MachineFacts {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly platform: string;
}

export function machineFacts(): MachineFacts {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export interface BenchResults {
  readonly figures: Record<string, number>;
  readonly machine: MachineFacts;
  readonly startedAt: string;
  readonly quick: boolean;
  readonly errors: Record<string, string>;
  readonly notes?: readonly string[];
}

/** `{'a.b': 1, 'a.c': 2}` → `{a: {b: 1, c: 2}}`: the JSON keeps the dotted names as paths. */
export function nest(figures: Record<string, number>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(figures).sort(([a], [b]) => a.localeCompare(b))) {
    const parts = key.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (typeof next !== 'object' || next === null) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    node[parts.at(-1)!] = value;
  }
  return root;
}

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(3);
}

export function renderMarkdown(results: BenchResults): string {
  const rows = Object.entries(results.figures)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => {
      const verdict = meetsTarget(key, value);
      const status = verdict === undefined ? '' : verdict ? 'met' : '**missed**';
      return `| ${key} | ${format(value)} | ${describeTarget(key)} | ${status} |`;
    });
  const m = results.machine;
  const lines = [
    `Measured ${results.startedAt}${results.quick ? ' (quick mode)' : ''} on ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.platform}.`,
    '',
    '| figure | value | target | |',
    '|---|---:|---|---|',
    ...rows,
  ];
  const errors = Object.entries(results.errors);
  if (errors.length > 0)
    lines.push('', 'Benchmarks that failed in this run:', '', ...errors.map(([name, reason]) => `- ${name}: ${reason}`));
  if (results.notes?.length) lines.push('', ...results.notes.map((n) => `- ${n}`));
  return lines.join('\n') + '\n';
}

/** `name` is `latest` for a whole run; a run of some modules (`--only`) writes `only-<modules>` beside it and leaves the whole run's files alone. */
export function writeResults(results: BenchResults, dir: string, name = 'latest'): { json: string; markdown: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, `${name}.json`);
  const markdown = join(dir, `${name}.md`);
  const body = {
    machine: results.machine,
    started_at: results.startedAt,
    quick: results.quick,
    ...nest(results.figures),
    errors: results.errors,
    notes: results.notes ?? [],
  };
  writeFileSync(json, JSON.stringify(body, null, 2) + '\n');
  writeFileSync(markdown, renderMarkdown(results));
  return { json, markdown };
}

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

/** Replaces the README's Performance table (between the bench markers) with the latest one. */
export function updateReadme(readmePath: string, markdown: string): boolean {
  const readme = readFileSync(readmePath, 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) return false;
  writeFileSync(readmePath, readme.slice(0, start + START.length) + '\n' + markdown + readme.slice(end));
  return true;
}
