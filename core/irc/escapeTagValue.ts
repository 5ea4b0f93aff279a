/**
 * Escapes a tag value for an IRCv3 line (message-tags spec): `\` → `\\`, `;` → `\:`,
 * space → `\s`, CR → `\r`, LF → `\n`. unescapeTagValue reverses it.
 */
export function escapeTagValue(value: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < value.length; i++) {
    let replacement: string;
    switch (value.charCodeAt(i)) {
      case 0x5c:
        replacement = '\\\\';
        break;
      case 0x3b:
        replacement = '\\:';
        break;
      case 0x20:
        replacement = '\\s';
        break;
      case 0x0d:
        replacement = '\\r';
        break;
      case 0x0a:
        replacement = '\\n';
        break;
      default:
        continue;
    }
    out += value.slice(last, i) + replacement;
    last = i + 1;
  }
  return last === 0 ? value : out + value.slice(last);
}
