/**
 * The read API's compatibility tests (routes, formats, ranges, redirects, status codes, headers)
 * on chdb: api-logs.test.ts with the fixture storing through the ClickHouse sink (api-index in
 * api-compat-clickhouse-index.test.ts: chdb holds one database per process; api-streaming checks
 * SQLite's cursor itself)
 * and reading through its ChatReader (READ_API_SINK, test/helpers/readApiFixture.ts).
 */
process.env.READ_API_SINK = 'clickhouse';
await import('./api-logs.test.ts');
