import type { Prng } from './createPrng.ts';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex8 = (x: number): string => HEX[x >>> 24]! + HEX[(x >>> 16) & 255]! + HEX[(x >>> 8) & 255]! + HEX[x & 255]!;
const hex4 = (x: number): string => HEX[(x >>> 8) & 255]! + HEX[x & 255]!;

export interface IdFactory {
  /** A v4-shaped UUID like Twitch's message ids. */
  uuid(): string;
  /** 32 hex chars, like client-nonce. */
  nonce(): string;
  /** A gift-wave origin id, either the spaced-hex or the numeric form Twitch uses. */
  originId(): string;
}

export function createIdFactory(prng: Prng): IdFactory {
  return {
    uuid() {
      const a = prng.uint32();
      const b = prng.uint32();
      const c = prng.uint32();
      const d = prng.uint32();
      return `${hex8(a)}-${hex4(b >>> 16)}-4${hex4(b & 0xfff).slice(1)}-${HEX[0x80 | ((c >>> 24) & 0x3f)]}${HEX[(c >>> 16) & 255]}-${hex4(c & 0xffff)}${hex8(d)}`;
    },
    nonce() {
      return hex8(prng.uint32()) + hex8(prng.uint32()) + hex8(prng.uint32()) + hex8(prng.uint32());
    },
    originId() {
      if (prng.chance(0.5)) return String(1_000_000_000 + prng.int(2_000_000_000)) + String(prng.int(1_000_000_000)).padStart(9, '0');
      const bytes: string[] = [];
      for (let i = 0; i < 20; i++) bytes.push(HEX[prng.int(256)]!);
      return bytes.join(' ');
    },
  };
}
