/**
 * The read API's compatibility tests (routes, formats, ranges, redirects, status codes, headers)
 * on postgres (api-streaming.test.ts checks SQLite's cursor itself, so it stays SQLite's): the same test files as on SQLite, with the fixture storing through the postgres sink
 * and reading through its ChatReader (READ_API_SINK, test/helpers/readApiFixture.ts).
 */
process.env.READ_API_SINK = 'postgres';
await import('./api-logs.test.ts');
await import('./api-index.test.ts');
