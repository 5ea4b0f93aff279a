import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from '../infra/paths.ts';

/** A results file's figures back as dotted keys (`{a: {b: 1}}` → `{'a.b': 1}`); empty when there is none. */
export function flatFigures(path: string): Record<string, number> {
  if (!existsSync(path)) return {};
  const out: Record<string, number> = {};
  const walk = (node: unknown, prefix: string) => {
    if (typeof node === 'number') out[prefix] = node;
    else if (typeof node === 'object' && node !== null && !Array.isArray(node))
      for (const [key, value] of Object.entries(node)) walk(value, prefix ? `${prefix}.${key}` : key);
  };
  const {
    machine: _m,
    started_at: _s,
    quick: _q,
    errors: _e,
    notes: _n,
    ...rest
  } = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  walk(rest, '');
  return out;
}

/**
 * The figures the committed bill was priced from, as `npm run bench -- --scale` combines them:
 * the last whole run (bench/results/latest.json) and over it the scale run's `scale.*`
 * (bench/results/scale.json).
 */
export function pricedFigures(results = repoPath('bench', 'results')): Record<string, number> {
  const scale = Object.entries(flatFigures(join(results, 'scale.json'))).filter(([key]) => key.startsWith('scale.'));
  return { ...flatFigures(join(results, 'latest.json')), ...Object.fromEntries(scale) };
}
