/**
 * Milliseconds since the epoch as a timestamptz, exactly: interval multiplication goes through a
 * double, so `x * interval '1 millisecond'` rounds past 2^53 microseconds (a 15-digit tmi-sent-ts
 * came back a millisecond off). Whole days and the rest are each exact; the sum is taken on a
 * timestamp without time zone, where a day is 24 hours whatever the session's TimeZone.
 */
export const epochMsSql = (column: string) =>
  `(timestamp 'epoch' + (${column} / 86400000) * interval '1 day' + (${column} % 86400000) * interval '1 millisecond') AT TIME ZONE 'UTC'`;
