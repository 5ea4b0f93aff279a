import type { LogMessage } from './types.ts';

/**
 * Which loaded messages a moderator removed: a CLEARMSG names its target's id, a timeout or ban
 * (CLEARCHAT with a user) takes every earlier message of that user since their last one.
 * Fed in arrival order (oldest first), so a target is always loaded before its removal.
 */
export class ModerationMarks {
  private readonly byId = new Map<string, number>();
  /** Messages per user id (or login) not yet taken by a timeout or ban. */
  private readonly pending = new Map<string, number[]>();
  private readonly marks = new Map<number, string>();

  /** Takes message `index`; returns the indices whose mark changed (to re-render if shown). */
  note(index: number, m: LogMessage): number[] {
    if (m.type === 1) {
      this.byId.set(m.id, index);
      const who = m.tags['user-id'] || m.username;
      const list = this.pending.get(who);
      if (list) list.push(index);
      else this.pending.set(who, [index]);
      return [];
    }
    if (m.type === 13) {
      const target = this.byId.get(m.tags['target-msg-id'] ?? '');
      if (target === undefined) return [];
      this.marks.set(target, 'deleted');
      return [target];
    }
    if (m.type === 2 && m.username !== '') {
      const who = m.tags['target-user-id'] || m.username;
      const taken = this.pending.get(who) ?? this.pending.get(m.username) ?? [];
      this.pending.delete(who);
      this.pending.delete(m.username);
      const duration = m.tags['ban-duration'];
      const label = duration === undefined ? 'banned' : `timed out ${duration}s`;
      for (const i of taken) if (!this.marks.has(i)) this.marks.set(i, label);
      return taken;
    }
    return [];
  }

  markOf(index: number): string | undefined {
    return this.marks.get(index);
  }
}
