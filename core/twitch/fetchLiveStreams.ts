import { TwitchApiError } from '../errors.ts';
import type { HelixClient } from './helixClient.ts';
import { HelixStreamsPageSchema, type HelixStream } from './schemas.ts';

export interface FetchLiveStreamsOptions {
  readonly maxChannels: number;
  readonly minViewers: number;
  /** Helix `language` filter values (e.g. ['en', 'de']); empty for all languages. */
  readonly languages?: readonly string[];
  /** Logins never returned (EXCLUDED_CHANNELS). */
  readonly excluded?: ReadonlySet<string>;
}

export interface LiveStreamsResult {
  /** Live streams, unique by user id, in the order Helix ranked them (viewers descending). */
  readonly streams: HelixStream[];
  readonly pages: number;
  readonly duplicates: number;
  readonly stoppedBy: 'max_channels' | 'min_viewers' | 'end' | 'cursor_loop' | 'page_limit';
}

/**
 * Pages through GET /streams (100 per page, most viewed first). Pages shift while we read them,
 * so a stream can show up twice (kept once, by user id) and a cursor can come back around; a
 * cursor seen before ends the walk, and so does a page budget well above what maxChannels needs.
 */
export async function fetchLiveStreams(client: HelixClient, options: FetchLiveStreamsOptions): Promise<LiveStreamsResult> {
  const streams: HelixStream[] = [];
  const seenUsers = new Set<string>();
  const seenCursors = new Set<string>();
  const languageParams = (options.languages ?? []).map((l) => ['language', l] as const);
  const languageSet = new Set(options.languages ?? []);
  const pageLimit = Math.ceil(options.maxChannels / 100) * 2 + 10;
  let cursor: string | undefined;
  let duplicates = 0;
  let pages = 0;
  for (;;) {
    if (pages >= pageLimit) return { streams, pages, duplicates, stoppedBy: 'page_limit' };
    const params: (readonly [string, string])[] = [['first', '100'], ...languageParams];
    if (cursor) params.push(['after', cursor]);
    const parsed = HelixStreamsPageSchema.safeParse(await client.get('streams', params));
    pages++;
    if (!parsed.success) {
      throw new TwitchApiError(
        `GET /streams page ${pages} is malformed: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`,
      );
    }
    for (const stream of parsed.data.data) {
      if (stream.viewer_count < options.minViewers) return { streams, pages, duplicates, stoppedBy: 'min_viewers' };
      if (seenUsers.has(stream.user_id)) {
        duplicates++;
        continue;
      }
      seenUsers.add(stream.user_id);
      if (options.excluded?.has(stream.user_login)) continue;
      if (languageSet.size > 0 && (stream.language === null || !languageSet.has(stream.language))) continue;
      streams.push(stream);
      if (streams.length >= options.maxChannels) return { streams, pages, duplicates, stoppedBy: 'max_channels' };
    }
    cursor = parsed.data.pagination.cursor;
    if (!cursor || parsed.data.data.length === 0) return { streams, pages, duplicates, stoppedBy: 'end' };
    if (seenCursors.has(cursor)) return { streams, pages, duplicates, stoppedBy: 'cursor_loop' };
    seenCursors.add(cursor);
  }
}
