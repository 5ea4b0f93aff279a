import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';

/**
 * Counts how many runs of a property reached each case it is about, states the counts in the
 * test's output (`t.diagnostic`), and fails the test when a case was reached fewer times than
 * its floor: a property whose generator never produces its interesting case passes while
 * checking nothing (the rebalance stickiness property once ran its case in 0 of 600 runs).
 *
 *   const cases = new PropertyCases(t);
 *   fc.assert(fc.property(arb, (x) => { cases.run(); if (cases.reached('escaped value', needsEscape(x))) … }));
 *   cases.report({ 'escaped value': 50 });
 */
export class PropertyCases {
  private runs = 0;
  private readonly hits = new Map<string, number>();

  constructor(private readonly t: TestContext) {}

  /** Call once per run that got past the property's preconditions. */
  run(): void {
    this.runs++;
  }

  /** Counts the run for `name` when `when` holds; returns `when`, so that it can guard the case's own check. */
  reached(name: string, when = true): boolean {
    if (when) this.hits.set(name, (this.hits.get(name) ?? 0) + 1);
    return when;
  }

  /** States every case's count, then asserts that each case named in `floors` was reached at least that often. */
  report(floors: Readonly<Record<string, number>>): void {
    const names = [...new Set([...Object.keys(floors), ...this.hits.keys()])];
    for (const name of names) this.t.diagnostic(`${this.hits.get(name) ?? 0} of ${this.runs} runs reached: ${name}`);
    for (const [name, floor] of Object.entries(floors)) {
      const count = this.hits.get(name) ?? 0;
      assert.ok(
        count >= floor,
        `only ${count} of ${this.runs} runs reached "${name}" (the floor is ${floor}): the generator must produce the case this property is about`,
      );
    }
  }
}
