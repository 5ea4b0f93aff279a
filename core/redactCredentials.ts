/**
 * Masks the user-info part of every URL in `text` (`postgres://user:secret@host` →
 * `postgres://***@host`). Greedy up to the last `@` of the URL, so a password holding an unencoded
 * `/` or `:` is masked too; masking a little too much is the safe side.
 */
export function redactCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s@"']*@/gi, '$1***@');
}
