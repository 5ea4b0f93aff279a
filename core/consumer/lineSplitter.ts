const NEWLINE = 0x0a;

/**
 * Splits byte chunks into LF-terminated lines with bounded memory whatever the input: a line
 * longer than `maxBytes` is never held whole — once its tail passes the limit only its length
 * is counted until its LF arrives, and it is reported to `onTooLong`. A line within one chunk is
 * handed on as a view of that chunk (no copy); only a line split across chunks is copied, and
 * only up to the limit. Lines keep a CR before the LF (the caller decides what to do with it).
 */
export class LineSplitter {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private overLimit = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onLine: (line: Buffer) => void,
    private readonly onTooLong: (bytes: number) => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      if (this.carryBytes > 0 || this.overLimit) {
        this.append(chunk.subarray(start, nl));
        this.flush();
      } else if (nl - start > this.maxBytes) this.onTooLong(nl - start);
      else this.onLine(chunk.subarray(start, nl));
      start = nl + 1;
    }
    if (start < chunk.length) this.append(chunk.subarray(start));
  }

  /** The input ended: a last line without LF is still a line. */
  end(): void {
    if (this.carryBytes > 0 || this.overLimit) this.flush();
  }

  private append(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.carryBytes += bytes.length;
    if (this.overLimit) return;
    if (this.carryBytes > this.maxBytes) {
      this.overLimit = true;
      this.carry = [];
      return;
    }
    // Copy: a short tail must not keep its whole read chunk alive.
    this.carry.push(Buffer.from(bytes));
  }

  private flush(): void {
    if (this.overLimit) this.onTooLong(this.carryBytes);
    else this.onLine(this.carry.length === 1 ? this.carry[0]! : Buffer.concat(this.carry, this.carryBytes));
    this.carry = [];
    this.carryBytes = 0;
    this.overLimit = false;
  }
}
