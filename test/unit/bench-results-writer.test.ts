import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { nest, renderMarkdown, updateReadme, writeResults, type BenchResults } from '../../bench/writeResults.ts';

const results: BenchResults = {
  figures: { 'parse.lines_per_s': 1_234_567, 'parse.tmi_lines_per_s': 345_678, 'ingest.ratio': 0.5, 'e2e.latency_p99_ms': 850 },
  machine: { cpu: 'Test CPU', cores: 2, node: 'v20.0.0', platform: 'linux-x64' },
  startedAt: '2026-11-29T00:00:00.000Z',
  quick: true,
  errors: { sinks: 'postgres not installed' },
};

describe('the benchmark results writer', () => {
  it('nests dotted figure names into JSON paths', () => {
    assert.deepEqual(nest({ 'sink.sqlite.ratio': 12, 'sink.sqlite.rows_per_s': 5, 'parse.lines_per_s': 1 }), {
      parse: { lines_per_s: 1 },
      sink: { sqlite: { ratio: 12, rows_per_s: 5 } },
    });
  });

  it('marks figures against their targets and says plainly which are missed', () => {
    const md = renderMarkdown(results);
    assert.match(md, /\| ingest\.ratio \| 0\.500 \| ≥ 0\.6 \| \*\*missed\*\* \|/);
    assert.match(md, /\| e2e\.latency_p99_ms \| 850\.0 \| ≤ 2000 \| met \|/);
    assert.match(md, /\| parse\.lines_per_s \| 1,234,567 \| {2}\| {2}\|/);
    assert.match(md, /Test CPU, 2 cores, Node v20\.0\.0/);
    assert.match(md, /- sinks: postgres not installed/);
  });

  it('writes latest.json with the machine facts and every figure as a number', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-'));
    try {
      const { json } = writeResults(results, dir);
      const body = JSON.parse(readFileSync(json, 'utf8'));
      assert.equal(body.parse.lines_per_s, 1_234_567);
      assert.equal(body.ingest.ratio, 0.5);
      assert.equal(body.machine.cores, 2);
      assert.equal(body.quick, true);
      assert.ok(readFileSync(join(dir, 'latest.md'), 'utf8').includes('ingest.ratio'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replaces only the README section between the bench markers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-readme-'));
    try {
      const readme = join(dir, 'README.md');
      writeFileSync(readme, '# Title\n\n## Performance\n<!-- bench:start -->\nold table\n<!-- bench:end -->\n\n## After\n');
      assert.equal(updateReadme(readme, '| new | table |\n'), true);
      assert.equal(
        readFileSync(readme, 'utf8'),
        '# Title\n\n## Performance\n<!-- bench:start -->\n| new | table |\n<!-- bench:end -->\n\n## After\n',
      );
      writeFileSync(readme, 'no markers here\n');
      assert.equal(updateReadme(readme, 'x'), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
