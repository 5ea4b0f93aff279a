/** Rows per block: an offset is at most this many additions past the block sums. */
const BLOCK = 256;

/**
 * Row heights with their running offsets: a block sum every 256 rows, so offsetOf and indexAt
 * cost a few hundred additions at 100,000 rows, and setting or appending one height is O(1).
 */
export class RowHeights {
  private heights = new Float64Array(1024);
  private blocks = new Float64Array(4);
  private size = 0;
  private sum = 0;

  get count(): number {
    return this.size;
  }

  get total(): number {
    return this.sum;
  }

  push(height: number): void {
    if (this.size === this.heights.length) {
      const grown = new Float64Array(this.heights.length * 2);
      grown.set(this.heights);
      this.heights = grown;
      const blocks = new Float64Array(this.blocks.length * 2);
      blocks.set(this.blocks);
      this.blocks = blocks;
    }
    this.heights[this.size] = height;
    this.blocks[Math.floor(this.size / BLOCK)]! += height;
    this.size++;
    this.sum += height;
  }

  get(index: number): number {
    return this.heights[index] ?? 0;
  }

  /** Sets a measured height; true when it changed. */
  set(index: number, height: number): boolean {
    const delta = height - this.heights[index]!;
    if (Math.abs(delta) < 0.5) return false;
    this.heights[index] = height;
    this.blocks[Math.floor(index / BLOCK)]! += delta;
    this.sum += delta;
    return true;
  }

  /** The top of row `index` (the total past the last row). */
  offsetOf(index: number): number {
    const end = Math.min(index, this.size);
    const block = Math.floor(end / BLOCK);
    let y = 0;
    for (let b = 0; b < block; b++) y += this.blocks[b]!;
    for (let i = block * BLOCK; i < end; i++) y += this.heights[i]!;
    return y;
  }

  /** The row that covers `y` (clamped to the rows there are). */
  indexAt(y: number): number {
    if (this.size === 0) return 0;
    let top = 0;
    let b = 0;
    const blocks = Math.ceil(this.size / BLOCK);
    while (b < blocks - 1 && top + this.blocks[b]! <= y) top += this.blocks[b++]!;
    let i = b * BLOCK;
    while (i < this.size - 1 && top + this.heights[i]! <= y) top += this.heights[i++]!;
    return i;
  }
}
