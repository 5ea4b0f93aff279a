/**
 * Search, stats and the admin user route on postgres: the same test files as on SQLite, with the
 * fixture storing through the postgres sink and reading through its ChatReader (READ_API_SINK,
 * test/helpers/readApiFixture.ts); api-search's checks of SQLite's own index skip themselves.
 */
process.env.READ_API_SINK = 'postgres';
await import('./api-search.test.ts');
await import('./api-stats.test.ts');
await import('./api-admin.test.ts');
