export interface PlacementSlot {
  /** Expected load already on the connection (sum of viewer counts + 1 per channel). */
  readonly load: number;
  readonly count: number;
  readonly capacity: number;
}

export interface PlacementChannel {
  readonly login: string;
  readonly viewers: number;
}

export interface Placement {
  /** Slot index per placed login. */
  readonly slotOf: Map<string, number>;
  /** Logins that did not fit anywhere (every slot full). */
  readonly overflow: string[];
}

/** A channel's expected load: viewers (chat volume grows with them) plus 1 so idle channels spread too. */
export const channelLoad = (viewers: number) => Math.max(0, viewers) + 1;

/**
 * Greedy least-loaded placement (LPT): channels in descending expected load, each on the slot
 * with the least load that still has room (ties: fewer channels, then lower index). Pure.
 */
export function placeChannels(slots: readonly PlacementSlot[], channels: readonly PlacementChannel[]): Placement {
  const state = slots.map((s) => ({ load: s.load, count: s.count, capacity: s.capacity }));
  const slotOf = new Map<string, number>();
  const overflow: string[] = [];
  const ordered = [...channels].sort((a, b) => b.viewers - a.viewers || (a.login < b.login ? -1 : 1));
  for (const channel of ordered) {
    let best = -1;
    for (let i = 0; i < state.length; i++) {
      const s = state[i]!;
      if (s.count >= s.capacity) continue;
      const b = best === -1 ? undefined : state[best]!;
      if (!b || s.load < b.load || (s.load === b.load && s.count < b.count)) best = i;
    }
    if (best === -1) {
      overflow.push(channel.login);
      continue;
    }
    const s = state[best]!;
    s.load += channelLoad(channel.viewers);
    s.count += 1;
    slotOf.set(channel.login, best);
  }
  return { slotOf, overflow };
}
