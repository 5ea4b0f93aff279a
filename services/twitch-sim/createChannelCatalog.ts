import { createPrng } from './createPrng.ts';
import type { SimChannel } from './types.ts';
import { GAMES, LANGUAGES, NAME_PARTS_A, NAME_PARTS_B, NAME_SUFFIXES, TITLES } from './namePools.ts';

export interface ChannelCatalog {
  channels: SimChannel[];
  byLogin: Map<string, SimChannel>;
  /** Cumulative Zipf weights (by catalog index) for choosing the channel of the next event. */
  cumulativeWeights: Float64Array;
  /** Channel index drawn by Zipf weight, from a uniform number in [0, 1). */
  sample(u: number): number;
}

/** The simulated world: N channels ranked by Zipf-distributed viewers (index 0 is the biggest). */
export function createChannelCatalog(options: {
  seed: number;
  channels: number;
  channelNames: string[];
  zipfExponent: number;
  maxViewers: number;
  now: number;
}): ChannelCatalog {
  const prng = createPrng(options.seed ^ 0x5eed);
  const used = new Set<string>();
  const channels: SimChannel[] = [];
  const cumulativeWeights = new Float64Array(options.channels);
  let total = 0;
  for (let index = 0; index < options.channels; index++) {
    let login = options.channelNames[index]?.toLowerCase().replace(/^#/, '');
    while (login === undefined || used.has(login)) {
      login = `${prng.pick(NAME_PARTS_A)}${prng.pick(NAME_PARTS_B)}${prng.pick(NAME_SUFFIXES)}${prng.int(10) < 6 ? prng.int(10_000) : ''}`;
    }
    used.add(login);
    const weight = 1 / Math.pow(index + 1, options.zipfExponent);
    total += weight;
    cumulativeWeights[index] = total;
    const [gameId, gameName] = prng.pick(GAMES);
    const [language, languageTag] = prng.pick(LANGUAGES);
    const displayName = prng.chance(0.5) ? login : login.charAt(0).toUpperCase() + login.slice(1);
    channels.push({
      index,
      login,
      displayName,
      id: String(20_000_000 + index * 97 + prng.int(97)),
      viewers: Math.max(1, Math.round(options.maxViewers * weight * (0.9 + prng.next() * 0.2))),
      language,
      gameId,
      gameName,
      title: prng.pick(TITLES),
      startedAt: new Date(options.now - prng.range(5, 12 * 60) * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      isMature: prng.chance(0.1),
      streamId: String(40_000_000_000 + index * 131 + prng.int(131)),
      tags: prng.chance(0.8) ? [languageTag, ...(prng.chance(0.3) ? ['DropsEnabled'] : [])] : [],
    });
  }
  for (let i = 0; i < cumulativeWeights.length; i++) cumulativeWeights[i] = (cumulativeWeights[i] as number) / total;
  const sample = (u: number): number => {
    let lo = 0;
    let hi = cumulativeWeights.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulativeWeights[mid] as number) > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  return { channels, byLogin: new Map(channels.map((c) => [c.login, c])), cumulativeWeights, sample };
}
