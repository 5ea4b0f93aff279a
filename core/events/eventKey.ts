import { createHash } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HASHED = /^h:[0-9a-f]{32}$/;

const dashed = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;

/**
 * An event id as a sink's 16-byte key (issue 16; ClickHouse and Postgres store it as a UUID):
 * `uuid`, and the `form` that turns it back into the id: '' when the id is that UUID's text,
 * 'h:' when it is `h:` + the UUID's 32 hex digits (a hashed id), and otherwise `=` + the id (the
 * `=` keeps an id that is literally `h:` apart from the hashed form; the UUID is then the first
 * 16 bytes of its MD5, so copies of one id still share a key).
 */
export function encodeEventId(id: string): { uuid: string; form: string } {
  if (UUID.test(id)) return { uuid: id, form: '' };
  if (HASHED.test(id)) return { uuid: dashed(id.slice(2)), form: 'h:' };
  return { uuid: dashed(createHash('md5').update(id).digest('hex')), form: `=${id}` };
}

/** The event id a stored key stands for (each sink's view does the same in SQL). */
export function decodeEventId(uuid: string, form: string): string {
  if (form === '') return uuid;
  return form === 'h:' ? `h:${uuid.replaceAll('-', '')}` : form.slice(1);
}
