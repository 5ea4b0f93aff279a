const NEEDS_ESCAPE = /[\\; \r\n]/;

/** IRCv3 tag value escaping, as Twitch writes it (space → `\s`, `;` → `\:`). */
export function escapeTagValue(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  let out = '';
  for (const ch of value) {
    if (ch === '\\') out += '\\\\';
    else if (ch === ';') out += '\\:';
    else if (ch === ' ') out += '\\s';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\n') out += '\\n';
    else out += ch;
  }
  return out;
}
