/** Series Prometheus itself creates for every target. */
export const SYNTHETIC_SERIES = new Set([
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
]);

const PROMQL_WORDS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'count',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'count_values',
  'group',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/** Metric names a PromQL expression reads: identifiers that are not functions, keywords, labels or durations. */
export function metricNamesIn(expr: string): string[] {
  const names = new Set<string>();
  // A selector by name: {__name__="x"}.
  for (const match of expr.matchAll(/__name__\s*=\s*"([^"]+)"/g)) names.add(match[1]!);
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""') // string literals
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // range selectors, $__rate_interval
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // label lists
    .replace(/\$\w+/g, ' '); // Grafana variables
  // Not preceded by a digit or dot, so the `h` of `1h` and the `e` of `1e3` are not names.
  for (const match of stripped.matchAll(/(?<![\w.])[A-Za-z_:][A-Za-z0-9_:]*(?=\s*(\(?))/g)) {
    const [name, paren] = [match[0], match[1]];
    if (paren === '(' || PROMQL_WORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}

/**
 * Series names a /metrics body (Prometheus text format) can produce: every sample's name, and for
 * each `# TYPE` the names its samples take once observed (a labelled histogram that has not been
 * observed yet prints only its HELP and TYPE lines).
 */
export function seriesNamesInExposition(body: string): Set<string> {
  const names = new Set<string>();
  for (const line of body.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) {
      const [, name, kind] = type as unknown as [string, string, string];
      names.add(name);
      if (kind === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
      if (kind === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
      continue;
    }
    const sample = /^([A-Za-z_:][A-Za-z0-9_:]*)[{ ]/.exec(line);
    if (sample) names.add(sample[1]!);
  }
  return names;
}
