/**
 * Turns a Grafana panel's rawSql into the SQL its datasource sends to the database, the way Grafana
 * does it: first the front end's template service replaces variables (`$top`, `${channel:singlequote}`,
 * `$__interval`, `$__interval_ms`), then the datasource's backend expands its macros.
 *
 * Followed sources (looked up, not guessed):
 * - Template service (grafana/public/app/features/templating/template_srv.ts): a variable set to
 *   "All" with a custom all value is inserted verbatim, without the format; without one, every
 *   option is formatted. `singlequote` wraps each value in `'…'` escaping `'` as `\'`; SQL
 *   datasources quote multi/include-All values with `''` when no format is given.
 * - ClickHouse plugin (grafana/clickhouse-datasource pkg/macros/macros.go, on grafana/sqlds):
 *   `$__timeFilter(c)` → `c >= toDateTime(<from s>) AND c <= toDateTime(<to s>)`, `_ms` variants
 *   with `fromUnixTimestamp64Milli`, `$__timeInterval(c)` → `toStartOfInterval(toDateTime(c),
 *   INTERVAL <s> second)`, `$__interval_s` → max(interval s, 1), `$__fromTime`/`$__toTime`,
 *   `$__dateFilter`, `$__dateTimeFilter`/`$__dt`. sqlds cuts a macro's arguments at the first `)`.
 * - PostgreSQL datasource (grafana pkg/tsdb/grafana-postgresql-datasource/macros.go, sqleng):
 *   `$__timeFilter(c)` → `c BETWEEN '<RFC3339>' AND '<RFC3339>'`, `$__timeGroup(c, 1m)` →
 *   `floor(extract(epoch from c)/60)*60` (`AS "time"` for the Alias form, or when a `,` follows),
 *   `$__timeFrom()`, `$__timeTo()`, `$__unixEpochFilter`, `$__unixEpochGroup`, `$__time`,
 *   `$__timeEpoch`; an unknown macro is an error.
 * Anything else beginning with `$` is an error here, so a typo fails the test instead of reaching the database.
 */

export interface TimeRange {
  readonly fromMs: number;
  readonly toMs: number;
}

export interface VariableState {
  /** Selected values, or 'all' for the "All" option. */
  readonly current: readonly string[] | 'all';
  /** The dashboard's `allValue` (null: Grafana lists every option). */
  readonly allValue: string | null;
  /** Every option the variable offers (used for "All" without a custom all value). */
  readonly options: readonly string[];
  readonly multi: boolean;
  readonly includeAll: boolean;
}

export interface GrafanaQueryContext {
  readonly range: TimeRange;
  readonly intervalMs: number;
  readonly variables: ReadonlyMap<string, VariableState>;
}

export class GrafanaExpansionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GrafanaExpansionError';
  }
}

/** Grafana's rangeutil.roundInterval: the "nice" interval nearest to range / resolution. */
const ROUND_STEPS: [number, number][] = [
  [10, 1],
  [15, 10],
  [35, 20],
  [75, 50],
  [150, 100],
  [350, 200],
  [750, 500],
  [1_500, 1_000],
  [3_500, 2_000],
  [7_500, 5_000],
  [12_500, 10_000],
  [17_500, 15_000],
  [25_000, 20_000],
  [45_000, 30_000],
  [90_000, 60_000],
  [210_000, 120_000],
  [450_000, 300_000],
  [750_000, 600_000],
  [1_050_000, 900_000],
  [1_500_000, 1_200_000],
  [2_700_000, 1_800_000],
  [5_400_000, 3_600_000],
  [9_000_000, 7_200_000],
  [16_200_000, 10_800_000],
  [24_300_000, 21_600_000],
  [64_800_000, 43_200_000],
  [604_800_000, 86_400_000],
  [1_814_400_000, 604_800_000],
  [3_628_800_000, 2_592_000_000],
];

/** Grafana's calculateInterval: range / maxDataPoints rounded, never below the panel's min interval. */
export function grafanaIntervalMs(range: TimeRange, maxDataPoints: number, minInterval?: string): number {
  const raw = (range.toMs - range.fromMs) / maxDataPoints;
  const rounded = ROUND_STEPS.find(([limit]) => raw < limit)?.[1] ?? 31_536_000_000;
  return Math.max(rounded, minInterval ? parseInterval(minInterval) : 1);
}

/** Grafana's secondsToHms: the largest whole unit (`20s`, `1m`, `6h`). */
export function formatInterval(ms: number): string {
  const s = ms / 1000;
  const units: [number, string][] = [
    [31_536_000, 'y'],
    [86_400, 'd'],
    [3_600, 'h'],
    [60, 'm'],
    [1, 's'],
  ];
  for (const [size, unit] of units) if (s >= size) return `${Math.floor(s / size)}${unit}`;
  return `${Math.floor(ms)}ms`;
}

/** gtime.ParseInterval: `500ms`, `20s`, `1m`, `1h`, `1d`, `1w`, `1y`. */
export function parseInterval(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d|w|y)$/.exec(text.trim());
  if (!match) throw new GrafanaExpansionError(`cannot parse interval "${text}"`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 }[match[2] as 'ms'];
  return Number(match[1]) * unit;
}

type Dialect = 'clickhouse' | 'postgres';

const quoteBackslash = (v: string) => `'${v.replace(/'/g, "\\'")}'`;
const quoteDoubled = (v: string) => `'${v.replace(/'/g, "''")}'`;

function formatValues(values: readonly string[], format: string | undefined, variable: VariableState, dialect: Dialect): string {
  switch (format) {
    case 'singlequote':
      return values.map(quoteBackslash).join(',');
    case 'sqlstring':
      return values.map(quoteDoubled).join(',');
    case 'csv':
    case 'raw':
    case 'text':
      return values.join(',');
    case undefined:
      // SqlDatasource.interpolateVariable (Postgres) quotes multi and include-All variables.
      if (dialect === 'postgres' && (variable.multi || variable.includeAll)) return values.map(quoteDoubled).join(',');
      return values.length === 1 ? values[0]! : `{${values.join(',')}}`;
    default:
      throw new GrafanaExpansionError(`variable format "${format}" is not emulated`);
  }
}

const VARIABLE_PATTERN = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?::([^}]+))?\}/g;

/** The front end's templateSrv.replace for dashboard variables and the interval/range globals. */
export function interpolateVariables(sql: string, context: GrafanaQueryContext, dialect: Dialect): string {
  const { range, intervalMs, variables } = context;
  const globals: Record<string, string> = {
    __interval: formatInterval(intervalMs),
    __interval_ms: String(intervalMs),
    __range_s: String(Math.round((range.toMs - range.fromMs) / 1000)),
    __range_ms: String(range.toMs - range.fromMs),
    __from: String(range.fromMs),
    __to: String(range.toMs),
  };
  return sql.replace(
    VARIABLE_PATTERN,
    (match, bare?: string, bracket?: string, bracketFormat?: string, braced?: string, bracedFormat?: string) => {
      const name = (bare ?? bracket ?? braced)!;
      const format = bracketFormat ?? bracedFormat;
      if (name in globals) return globals[name]!;
      if (name.startsWith('__')) return match; // a datasource macro, expanded by the backend
      const variable = variables.get(name);
      if (!variable) throw new GrafanaExpansionError(`unknown template variable $${name}`);
      if (variable.current === 'all') {
        // Grafana skips the format for a custom all value (except text and percentencode).
        if (variable.allValue !== null && format !== 'text' && format !== 'percentencode')
          return interpolateVariables(variable.allValue, context, dialect);
        return formatValues(variable.allValue !== null ? [variable.allValue] : variable.options, format, variable, dialect);
      }
      return formatValues(variable.current, format, variable, dialect);
    },
  );
}

function macroArgs(name: string, args: string | undefined, count: number): string[] {
  const list = args === undefined ? [] : args.split(',').map((a) => a.trim());
  if (list.length < count)
    throw new GrafanaExpansionError(
      `$__${name} expects ${count} argument(s), got ${list.length} (arguments containing "(" are cut by the plugin)`,
    );
  return list;
}

/** grafana-clickhouse-datasource's backend macros. */
export function expandClickHouseMacros(sql: string, context: GrafanaQueryContext): string {
  const { fromMs, toMs } = context.range;
  const seconds = Math.max(Math.floor(context.intervalMs / 1000), 1);
  const dateTime = (ms: number) => `toDateTime(${Math.floor(ms / 1000)})`;
  const dateTime64 = (ms: number) => `fromUnixTimestamp64Milli(${ms})`;
  const date = (ms: number) => `toDate('${new Date(ms).toISOString().slice(0, 10)}')`;
  return sql.replace(/\$__(\w+)(?:\(([^()]*)\))?/g, (_match, name: string, args?: string) => {
    switch (name) {
      case 'fromTime':
        return dateTime(fromMs);
      case 'toTime':
        return dateTime(toMs);
      case 'fromTime_ms':
        return dateTime64(fromMs);
      case 'toTime_ms':
        return dateTime64(toMs);
      case 'timeFilter': {
        const [c] = macroArgs(name, args, 1);
        return `${c} >= ${dateTime(fromMs)} AND ${c} <= ${dateTime(toMs)}`;
      }
      case 'timeFilter_ms': {
        const [c] = macroArgs(name, args, 1);
        return `${c} >= ${dateTime64(fromMs)} AND ${c} <= ${dateTime64(toMs)}`;
      }
      case 'dateFilter': {
        const [c] = macroArgs(name, args, 1);
        return `${c} >= ${date(fromMs)} AND ${c} <= ${date(toMs)}`;
      }
      case 'dateTimeFilter':
      case 'dt': {
        const [d, t] = macroArgs(name, args, 2);
        return `(${d} >= ${date(fromMs)} AND ${d} <= ${date(toMs)}) AND (${t} >= ${dateTime(fromMs)} AND ${t} <= ${dateTime(toMs)})`;
      }
      case 'timeInterval': {
        const [c] = macroArgs(name, args, 1);
        return `toStartOfInterval(toDateTime(${c}), INTERVAL ${seconds} second)`;
      }
      case 'timeInterval_ms': {
        const [c] = macroArgs(name, args, 1);
        return `toStartOfInterval(toDateTime64(${c}, 3), INTERVAL ${Math.max(context.intervalMs, 1)} millisecond)`;
      }
      case 'interval_s':
        return String(seconds);
      default:
        throw new GrafanaExpansionError(`ClickHouse macro $__${name} is not emulated`);
    }
  });
}

/** Go's time.RFC3339Nano in UTC: no fraction when whole seconds, trailing zeros trimmed. */
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.(\d*?)0*Z$/, (_m, digits: string) => (digits ? `.${digits}Z` : 'Z'));
const goFloat = (n: number) => String(n);

/** Grafana's PostgreSQL datasource: sqleng's interval/epoch replacements, then its macros. */
export function expandPostgresMacros(sql: string, context: GrafanaQueryContext): string {
  const { fromMs, toMs } = context.range;
  const fromS = Math.floor(fromMs / 1000);
  const toS = Math.floor(toMs / 1000);
  const replaced = sql
    .replaceAll('$__interval_ms', String(context.intervalMs))
    .replaceAll('$__interval', formatInterval(context.intervalMs))
    .replaceAll('$__unixEpochFrom()', String(fromS))
    .replaceAll('$__unixEpochTo()', String(toS));
  const group = (args: string[], epoch: boolean) => {
    const s = goFloat(parseInterval(args[1]!.replace(/'/g, '')) / 1000);
    return epoch ? `floor((${args[0]})/${s})*${s}` : `floor(extract(epoch from ${args[0]})/${s})*${s}`;
  };
  const expanded = replaced.replace(/\$(\w+)\(([^)]*)\)/g, (match, macro: string, rawArgs: string, offset: number, whole: string) => {
    let name = macro;
    // Grafana: "$__timeGroup(...)," keeps its pre-5.3 meaning of $__timeGroupAlias.
    if (name === '__timeGroup' && whole[offset + match.length] === ',') name = '__timeGroupAlias';
    const args = rawArgs.split(',').map((a) => a.trim());
    const need = (n: number) => {
      if (args.filter((a) => a !== '').length < n) throw new GrafanaExpansionError(`$${name} expects ${n} argument(s)`);
    };
    switch (name) {
      case '__time':
        need(1);
        return `${args[0]} AS "time"`;
      case '__timeEpoch':
        need(1);
        return `extract(epoch from ${args[0]}) as "time"`;
      case '__timeFilter':
        need(1);
        return `${args[0]} BETWEEN '${rfc3339(fromMs)}' AND '${rfc3339(toMs)}'`;
      case '__timeFrom':
        return `'${rfc3339(fromMs)}'`;
      case '__timeTo':
        return `'${rfc3339(toMs)}'`;
      case '__timeGroup':
        need(2);
        return group(args, false);
      case '__timeGroupAlias':
        need(2);
        return `${group(args, false)} AS "time"`;
      case '__unixEpochFilter':
        need(1);
        return `${args[0]} >= ${fromS} AND ${args[0]} <= ${toS}`;
      case '__unixEpochGroup':
        need(2);
        return group(args, true);
      case '__unixEpochGroupAlias':
        need(2);
        return `${group(args, true)} AS "time"`;
      default:
        throw new GrafanaExpansionError(`unknown macro "${name}"`);
    }
  });
  const leftover = /\$\w+/.exec(expanded);
  if (leftover) throw new GrafanaExpansionError(`"${leftover[0]}" is neither a variable nor a macro with arguments`);
  return expanded;
}

/** rawSql → the SQL Grafana sends to ClickHouse. */
export function clickHouseQuery(rawSql: string, context: GrafanaQueryContext): string {
  const sql = expandClickHouseMacros(interpolateVariables(rawSql, context, 'clickhouse'), context);
  const leftover = /\$\w+/.exec(sql);
  if (leftover) throw new GrafanaExpansionError(`"${leftover[0]}" was left unexpanded`);
  return sql;
}

/** rawSql → the SQL Grafana sends to PostgreSQL. */
export function postgresQuery(rawSql: string, context: GrafanaQueryContext): string {
  return expandPostgresMacros(interpolateVariables(rawSql, context, 'postgres'), context);
}
