/**
 * Unescapes an IRCv3 tag value as the ChatEvent contract says: `\s` space, `\:` `;`, `\\` `\`,
 * `\r` CR, `\n` LF, any other `\x` → `x`, and a trailing lone `\` is dropped.
 */
export function unescapeTagValue(value: string): string {
  let i = value.indexOf('\\');
  if (i === -1) return value;
  let out = '';
  let last = 0;
  while (i !== -1) {
    out += value.slice(last, i);
    if (i + 1 >= value.length) return out;
    const next = value.charCodeAt(i + 1);
    switch (next) {
      case 0x73:
        out += ' ';
        break; // s
      case 0x3a:
        out += ';';
        break; // :
      case 0x5c:
        out += '\\';
        break;
      case 0x72:
        out += '\r';
        break; // r
      case 0x6e:
        out += '\n';
        break; // n
      default:
        out += value[i + 1]!;
    }
    last = i + 2;
    i = value.indexOf('\\', last);
  }
  return out + value.slice(last);
}
