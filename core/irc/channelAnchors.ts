/**
 * What one reader of IRC lines (an ingester process, one imported file, one `poglytics parse`
 * run) remembers to give id-less lines a content-derived `h:` id: per channel, the
 * `tmi-sent-ts` of the most recent timestamped event it read. A line without `tmi-sent-ts`
 * (ROOMSTATE, most NOTICEs) hashes its channel's anchor where an arrival time would otherwise
 * go. Two readers of the same channel stream (two capture replicas, an import of the same log)
 * see the same lines in the same order, so they compute the same ids; two identical changes
 * separated by any timestamped line (slow=10, a message, slow=0, a message, slow=10) get
 * different ones. Only identical id-less lines with no timestamped line between them merge.
 * One instance per reader, never shared state: readers that started at different points agree
 * from their first common timestamped line on.
 */
export class ChannelAnchors {
  private readonly latest = new Map<string, number>();

  /** The anchor of `channel`: the tmi-sent-ts of the last timestamped event read there, or null. */
  anchorOf(channel: string): number | null {
    return this.latest.get(channel) ?? null;
  }

  /** Records a timestamped event of `channel` (call in reading order). */
  observe(channel: string, sentTs: number): void {
    this.latest.set(channel, sentTs);
  }

  /** Channels with an anchor. */
  get size(): number {
    return this.latest.size;
  }
}
