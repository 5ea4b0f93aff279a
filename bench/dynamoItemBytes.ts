import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * An item's size as DynamoDB bills it (the "Item sizes" page of the developer guide): attribute
 * names and strings by their UTF-8 length, a number by about one byte per two significant digits
 * plus one, booleans and nulls one byte, a list or map 3 bytes plus one byte per element plus its
 * elements. Write units: one per started KB of the larger of the old and the new item.
 */
export function dynamoItemBytes(item: Record<string, AttributeValue>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) bytes += Buffer.byteLength(name) + valueBytes(value);
  return bytes;
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.B !== undefined) return value.B.byteLength;
  if (value.L !== undefined) return 3 + value.L.reduce((n, v) => n + 1 + valueBytes(v), 0);
  if (value.M !== undefined) return 3 + Object.entries(value.M).reduce((n, [k, v]) => n + 1 + Buffer.byteLength(k) + valueBytes(v), 0);
  if (value.SS !== undefined) return value.SS.reduce((n, s) => n + Buffer.byteLength(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((n, s) => n + numberBytes(s), 0);
  return 0;
}

function numberBytes(text: string): number {
  const digits = text
    .replace(/^[-+]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+|0+$/g, '').length;
  return Math.ceil(Math.max(1, digits) / 2) + 1;
}

/** Write units of writing `next` over `previous` (undefined: a new item). */
export function writeUnits(previousBytes: number | undefined, nextBytes: number): number {
  return Math.max(1, Math.ceil(Math.max(previousBytes ?? 0, nextBytes) / 1024));
}
