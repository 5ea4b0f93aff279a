import { RowHeights } from './rowHeights.ts';

/** What the list shows: `count` rows, each drawn on demand; `keyOf` names the line behind a row across filters. */
export interface RowSource {
  readonly count: number;
  keyOf(position: number): number;
  render(position: number): HTMLElement;
  /** A row's shape (its kind): an undrawn row is as tall as the shortest drawn row of its shape. */
  shapeOf(position: number): string;
  /** Its height before any row of its shape was drawn. */
  estimate(position: number): number;
}

/** Rows drawn beyond each edge of the viewport, so a flick shows drawn rows before the next frame. */
const OVERSCAN = 12;

/**
 * A list that keeps only the rows near the viewport in the DOM: a sizer as tall as all rows, and a
 * window translated to the first drawn row's offset holding the drawn rows in normal flow.
 * Heights start as estimates and become measurements when a row is drawn.
 *
 * Who owns the scroll position: after a jump (a permalink, a new log or filter, a resize) the list
 * is pinned to its anchor row and keeps it in place while heights above it are measured; once the
 * user scrolls, the browser's position is the truth and the list never writes it (a write would
 * cancel Chromium's smooth keyboard and wheel scrolling), except to stay at the end when the user
 * is there and the rows below turn out taller than estimated.
 */
export class VirtualList {
  private readonly sizer = document.createElement('div');
  private readonly window = document.createElement('div');
  private heights = new RowHeights();
  /** Measured heights by line key at the current width (0: never drawn). */
  private measured = new Float32Array(1024);
  /** The shortest drawn row of each shape: the estimate for its undrawn rows. */
  private readonly typical = new Map<string, number>();
  private estimatesChanged = false;
  private first = 0;
  private drawn: HTMLElement[] = [];
  private anchor = { position: 0, offset: 0 };
  private pinned = true;
  /** The scrollTop the list itself set last, so its own scroll event is not taken for the user's. */
  private written = -1;
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
        if (Math.abs(this.scroller.scrollTop - this.written) >= 1) {
          this.pinned = false;
          this.takeAnchor();
        }
        this.schedule();
      },
      { passive: true },
    );
    new ResizeObserver(() => {
      if (this.scroller.clientWidth === this.width) return this.schedule();
      // Wrapping changes with the width: every measurement is stale.
      this.width = this.scroller.clientWidth;
      this.measured.fill(0);
      this.typical.clear();
      this.pinned = true;
      this.rebuild();
    }).observe(scroller);
  }

  /** New rows were appended to the source. */
  grew(): void {
    this.schedule();
  }

  /** The source now shows other rows of the same lines (a filter): heights rebuilt, back to the top. */
  reset(): void {
    this.anchor = { position: 0, offset: 0 };
    this.pinned = true;
    this.rebuild();
  }

  /** The source now holds other lines (another log): their measured heights are forgotten too. */
  replace(): void {
    this.measured.fill(0);
    this.reset();
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
    this.pinned = true;
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
    const measured = this.measured[this.source.keyOf(position)];
    return measured || this.typical.get(this.source.shapeOf(position)) || this.source.estimate(position);
  }

  private setScrollTop(top: number): void {
    if (Math.abs(this.scroller.scrollTop - top) < 1) return;
    this.scroller.scrollTop = top;
    this.written = this.scroller.scrollTop;
  }

  private update(): void {
    this.scheduled = false;
    const count = this.source.count;
    if (this.estimatesChanged && this.pinned) {
      // A shape's first measurement: its undrawn rows take it (a pass over the rows, a few times per
      // log). Not while the user scrolls: the rows under the viewport would move.
      this.estimatesChanged = false;
      this.heights = new RowHeights();
    }
    while (this.heights.count < count) this.heights.push(this.heightOf(this.heights.count));
    const client = this.scroller.clientHeight;
    const atEnd = !this.pinned && count > 0 && this.scroller.scrollTop + client >= this.scroller.scrollHeight - 2;
    // A few passes: drawing measures rows, which can move the anchor or uncover undrawn rows.
    for (let pass = 0; pass < 4; pass++) {
      this.sizer.style.height = `${this.heights.total}px`;
      const end = Math.max(0, this.heights.total - client);
      if (atEnd) this.setScrollTop(end);
      else if (this.pinned) {
        const wanted = this.heights.offsetOf(Math.min(this.anchor.position, count)) + this.anchor.offset;
        this.setScrollTop(Math.max(0, Math.min(wanted, end)));
      }
      const viewTop = this.scroller.scrollTop;
      const from = Math.max(0, this.heights.indexAt(viewTop) - OVERSCAN);
      const to = count === 0 ? 0 : Math.min(count, this.heights.indexAt(viewTop + client) + OVERSCAN + 1);
      this.draw(from, to);
      let changed = false;
      for (let i = 0; i < this.drawn.length; i++) {
        const height = this.drawn[i]!.getBoundingClientRect().height;
        if (height === 0) continue;
        const position = from + i;
        const key = this.source.keyOf(position);
        if (key >= this.measured.length) {
          const grown = new Float32Array(Math.max(key + 1, this.measured.length * 2));
          grown.set(this.measured);
          this.measured = grown;
        }
        this.measured[key] = height;
        const shape = this.source.shapeOf(position);
        if (!(height >= (this.typical.get(shape) ?? Infinity))) {
          this.typical.set(shape, height);
          this.estimatesChanged = true;
        }
        if (this.heights.set(position, height)) changed = true;
      }
      this.window.style.transform = `translateY(${this.heights.offsetOf(from)}px)`;
      if (!changed) break;
    }
    if (this.estimatesChanged && this.pinned) this.schedule();
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
