/**
 * The category views every sink defines on top of chat_events, named after what users of the
 * original Go Poglytics looked for. Each is `SELECT * FROM chat_events` plus a filter, so its
 * columns are the contract's field names on every database.
 */
export const SUBSCRIPTION_SUBTYPES = [
  'sub',
  'resub',
  'subgift',
  'anonsubgift',
  'submysterygift',
  'anonsubmysterygift',
  'giftpaidupgrade',
  'anongiftpaidupgrade',
  'primepaidupgrade',
  'extendsub',
  'standardpayforward',
  'communitypayforward',
] as const;

export const CATEGORY_VIEWS = [
  { name: 'messages', where: "kind = 'message'" },
  { name: 'cheers', where: "kind = 'message' AND bits > 0" },
  { name: 'subscriptions', where: `kind = 'usernotice' AND subtype IN (${SUBSCRIPTION_SUBTYPES.map((s) => `'${s}'`).join(', ')})` },
  { name: 'bans', where: "kind = 'ban'" },
  { name: 'timeouts', where: "kind = 'timeout'" },
  { name: 'deleted_messages', where: "kind = 'delete'" },
  { name: 'raids', where: "kind = 'usernotice' AND subtype = 'raid'" },
  { name: 'notices', where: "kind = 'notice'" },
] as const;

export type CategoryView = (typeof CATEGORY_VIEWS)[number]['name'];

/** `CREATE VIEW` statements for one dialect; `from` lets ClickHouse add FINAL. */
export function categoryViewStatements(create: (name: string, select: string) => string, from = 'chat_events'): string[] {
  return CATEGORY_VIEWS.map(({ name, where }) => create(name, `SELECT * FROM ${from} WHERE ${where}`));
}
