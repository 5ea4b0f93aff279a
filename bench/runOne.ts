/** Child-process entry of bench/run.ts: runs one benchmark module and writes its figures as JSON. */
import { writeFileSync } from 'node:fs';

const [name, mode, out] = process.argv.slice(2);
if (!name || !out) throw new Error('usage: runOne.ts <module> <quick|full> <out.json>');
const module = (await import(`./${name}.ts`)) as { bench: (options: { quick: boolean }) => Promise<Record<string, number>> };
const figures = await module.bench({ quick: mode === 'quick' });
for (const [key, value] of Object.entries(figures)) {
  if (typeof value !== 'number' || Number.isNaN(value)) throw new Error(`${name}: figure ${key} is not a number`);
}
writeFileSync(out, JSON.stringify(figures));
process.exit(0);
