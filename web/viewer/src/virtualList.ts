import { RowHeights } from './rowHeights.ts';

/** What the list shows: `count` rows, each drawn on demand; `keyOf` names the line behind a row across filters. */
export interface RowSource {
  readonly count: number;
  keyOf(position: number): number;
  render(position: number): HTMLElement;
  estimate(position: number): number;
}

/** Rows drawn beyond each edge of the viewport, so a flick shows drawn rows before the next frame. */
const OVERSCAN = 12;

/**
 * A list that keeps only the rows near the viewport in the DOM: a sizer as tall as all rows, and a
 * window translated to the first drawn row's offset holding the drawn rows in normal flow.
 * Heights start as estimates and become measurements when a row is drawn; the row under the top
 * of the viewport (the anchor) stays put while heights above it change, so nothing jumps.
 */
export class VirtualList {
  private readonly sizer = document.createElement('div');
  private readonly window = document.createElement('div');
  private heights = new RowHeights();
  /** Measured heights by line key at the current width (0: never drawn). */
  private measured = new Float32Array(1024);
  private first = 0;
  private drawn: HTMLElement[] = [];
  private anchor = { position: 0, offset: 0 };
  private scheduled = false;
  private width = -1;

  constructor(
    private readonly scroller: HTMLElement,
    private readonly source: RowSource,
  ) {
    this.sizer.className = 'sizer';
    this.window.className = 'window';
    this.sizer.append(this.window);
    scroller.replaceChildren(this.sizer);
    scroller.addEventListener(
      'scroll',
      () => {
        this.takeAnchor();
        this.schedule();
      },
      { passive: true },
    );
    new ResizeObserver(() => {
      if (this.scroller.clientWidth === this.width) return this.schedule();
      // Wrapping changes with the width: every measurement is stale.
      this.width = this.scroller.clientWidth;
      this.measured.fill(0);
      this.rebuild();
    }).observe(scroller);
  }

  /** New rows were appended to the source. */
  grew(): void {
    this.schedule();
  }

  /** The source now shows other rows (a new log or filter): heights rebuilt, back to the top. */
  reset(): void {
    this.anchor = { position: 0, offset: 0 };
    this.rebuild();
  }

  /** Draws the shown rows again (their marks or the theme changed). */
  redraw(): void {
    this.drawn = [];
    this.window.replaceChildren();
    this.schedule();
  }

  /** Brings row `position` to a third of the way down the viewport. */
  scrollTo(position: number): void {
    this.anchor = { position, offset: -Math.round(this.scroller.clientHeight / 3) };
    this.schedule();
  }

  private rebuild(): void {
    this.heights = new RowHeights();
    this.redraw();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => this.update());
  }

  private takeAnchor(): void {
    const top = this.scroller.scrollTop;
    const position = this.heights.indexAt(top);
    this.anchor = { position, offset: top - this.heights.offsetOf(position) };
  }

  private heightOf(position: number): number {
    const key = this.source.keyOf(position);
    return this.measured[key] || this.source.estimate(position);
  }

  private update(): void {
    this.scheduled = false;
    const count = this.source.count;
    while (this.heights.count < count) this.heights.push(this.heightOf(this.heights.count));
    // A few passes: drawing measures rows, which can move the anchor or uncover undrawn rows.
    for (let pass = 0; pass < 4; pass++) {
      this.sizer.style.height = `${this.heights.total}px`;
      const wanted = this.heights.offsetOf(Math.min(this.anchor.position, count)) + this.anchor.offset;
      const top = Math.max(0, Math.min(wanted, this.heights.total - this.scroller.clientHeight));
      if (Math.abs(this.scroller.scrollTop - top) >= 1) this.scroller.scrollTop = top;
      const viewTop = this.scroller.scrollTop;
      const from = Math.max(0, this.heights.indexAt(viewTop) - OVERSCAN);
      const to = count === 0 ? 0 : Math.min(count, this.heights.indexAt(viewTop + this.scroller.clientHeight) + OVERSCAN + 1);
      this.draw(from, to);
      let changed = false;
      for (let i = 0; i < this.drawn.length; i++) {
        const height = this.drawn[i]!.getBoundingClientRect().height;
        const key = this.source.keyOf(from + i);
        if (key >= this.measured.length) {
          const grown = new Float32Array(Math.max(key + 1, this.measured.length * 2));
          grown.set(this.measured);
          this.measured = grown;
        }
        this.measured[key] = height;
        if (this.heights.set(from + i, height)) changed = true;
      }
      this.window.style.transform = `translateY(${this.heights.offsetOf(from)}px)`;
      if (!changed) break;
    }
  }

  /** Rows [from, to) in the window, keeping the ones already drawn. */
  private draw(from: number, to: number): void {
    if (from === this.first && to - from === this.drawn.length) return;
    const rows: HTMLElement[] = [];
    for (let p = from; p < to; p++) {
      const kept = p >= this.first && p < this.first + this.drawn.length ? this.drawn[p - this.first] : undefined;
      rows.push(kept ?? this.source.render(p));
    }
    this.window.replaceChildren(...rows);
    this.first = from;
    this.drawn = rows;
  }
}
