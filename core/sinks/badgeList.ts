/**
 * A badges list as one text (SQLite and Postgres store it so): the tag's comma list, which is
 * what a line template's badges slot stands for, or JSON when a comma list cannot hold it (an
 * empty badge, a comma in one, or a list starting with `[`). An empty list is NULL.
 */
export function encodeBadges(badges: readonly string[]): string | null {
  if (badges.length === 0) return null;
  const list = badges.join(',');
  const safe = list.charCodeAt(0) !== 0x5b && badges.every((b) => b !== '' && !b.includes(','));
  return safe ? list : JSON.stringify(badges);
}

export function decodeBadges(value: string | null | undefined): string[] {
  if (value === null || value === undefined || value === '') return [];
  const text = value;
  return text.charCodeAt(0) === 0x5b ? (JSON.parse(text) as string[]) : text.split(',');
}
