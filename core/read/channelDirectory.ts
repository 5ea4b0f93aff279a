import type { ChannelRef, ChatReader } from './types.ts';

/**
 * Channel lookups by login or room id, from the reader's channel list, kept for `ttlMs` so a
 * burst of requests costs one list. A channel is known when at least one event of it is stored.
 */
export class ChannelDirectory {
  private cached: { readonly at: number; readonly channels: Promise<ChannelRef[]> } | undefined;

  constructor(
    private readonly reader: ChatReader,
    private readonly ttlMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  list(): Promise<ChannelRef[]> {
    if (this.cached === undefined || this.now() - this.cached.at >= this.ttlMs) {
      const channels = this.reader.listChannels();
      this.cached = { at: this.now(), channels };
      // A failed list is not kept: the next request asks again.
      channels.catch(() => {
        this.cached = undefined;
      });
    }
    return this.cached.channels;
  }

  async byLogin(login: string): Promise<ChannelRef | null> {
    const name = login.toLowerCase();
    const listed = (await this.list()).find((c) => c.name === name);
    if (listed) return listed;
    // Newer than the cached list: ask the index directly.
    return (await this.reader.lastEventAt({ channel: name })) === null ? null : { name, id: null };
  }

  async byId(id: string): Promise<ChannelRef | null> {
    return (await this.list()).find((c) => c.id === id) ?? null;
  }
}
