import { kindOf, type LineKind } from './chatLine.ts';
import { ModerationMarks } from './moderationMarks.ts';
import type { LogMessage } from './types.ts';

/**
 * The lines of the open log as they arrive, with their kinds, moderation marks and the current
 * filter: `shown` maps a list row to a line index (all lines when there is no filter).
 */
export class LoadedLog {
  readonly messages: LogMessage[] = [];
  readonly kinds: LineKind[] = [];
  readonly marks = new ModerationMarks();
  private readonly byId = new Map<string, number>();
  private haystacks: (string | undefined)[] = [];
  private shown: number[] | null = null;
  private needle = '';

  get count(): number {
    return this.shown?.length ?? this.messages.length;
  }

  lineAt(row: number): number {
    return this.shown === null ? row : this.shown[row]!;
  }

  /** The row showing line `id`, or -1 when it is not loaded or filtered out. */
  rowOf(id: string): number {
    const line = this.byId.get(id);
    if (line === undefined) return -1;
    return this.shown === null ? line : this.shown.indexOf(line);
  }

  /** Appends lines; returns the earlier lines whose mark changed (a deletion or timeout arrived). */
  append(lines: readonly LogMessage[]): number[] {
    const remarked: number[] = [];
    for (const m of lines) {
      const index = this.messages.length;
      this.messages.push(m);
      this.kinds.push(kindOf(m));
      this.byId.set(m.id, index);
      remarked.push(...this.marks.note(index, m));
      if (this.shown !== null && this.matches(index)) this.shown.push(index);
    }
    return remarked;
  }

  /** Shows only the lines whose name or text contains `query` (case-insensitive); '' shows all. */
  filter(query: string): void {
    this.needle = query.trim().toLowerCase();
    if (this.needle === '') {
      this.shown = null;
      return;
    }
    const shown: number[] = [];
    for (let i = 0; i < this.messages.length; i++) if (this.matches(i)) shown.push(i);
    this.shown = shown;
  }

  get query(): string {
    return this.needle;
  }

  private matches(index: number): boolean {
    let haystack = this.haystacks[index];
    if (haystack === undefined) {
      const m = this.messages[index]!;
      haystack = `${m.username}\n${m.displayName}\n${m.text}`.toLowerCase();
      this.haystacks[index] = haystack;
    }
    return haystack.includes(this.needle);
  }
}
