import type { Prng } from './createPrng.ts';

export type TokenCheck = { ok: true; clientId: string; expiresAt: number } | { ok: false; reason: 'unknown' | 'expired' };

/** App access tokens issued by the simulated id.twitch.tv, with expiry on the simulator's clock. */
export interface TokenStore {
  issue(clientId: string): { token: string; expiresInS: number };
  check(token: string): TokenCheck;
  /** Expires every token now (tests of the refresh path). */
  expireAll(): void;
  readonly issued: number;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function createTokenStore(deps: { prng: Prng; ttlMs: number; now: () => number }): TokenStore {
  const tokens = new Map<string, { clientId: string; expiresAt: number }>();
  let issued = 0;
  return {
    issue(clientId) {
      let token = '';
      for (let i = 0; i < 30; i++) token += ALPHABET[deps.prng.int(ALPHABET.length)];
      tokens.set(token, { clientId, expiresAt: deps.now() + deps.ttlMs });
      issued++;
      return { token, expiresInS: Math.floor(deps.ttlMs / 1000) };
    },
    check(token) {
      const entry = tokens.get(token);
      if (entry === undefined) return { ok: false, reason: 'unknown' };
      if (deps.now() >= entry.expiresAt) return { ok: false, reason: 'expired' };
      return { ok: true, ...entry };
    },
    expireAll() {
      const now = deps.now();
      for (const entry of tokens.values()) entry.expiresAt = Math.min(entry.expiresAt, now);
    },
    get issued() {
      return issued;
    },
  };
}
