import { mkdtempSync } from 'node:fs';
import { chdbSearchFigures } from './chdbSearch.ts';
const QUERIES = ['kappa', 'pogchamp kekw', '"the game"', '"of the" stream', 'pokemon', "don't", 'never again wp', 'xqcl', '1v1', 'hello world'];
const total = Number(process.env.TOTAL ?? 10_000_000);
const dir = mkdtempSync('/tmp/chdbrun-');
const t = Date.now();
console.log(await chdbSearchFigures(dir, { seeded: 100_000, total, queries: QUERIES, rounds: 3 }), (Date.now() - t) / 1000, 's');
