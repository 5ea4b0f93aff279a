/**
 * api-admin.test.ts on chdb, in a process of its own (chdb holds one database per process, and two
 * files' fixtures would migrate it at once): the fixture stores through the ClickHouse sink and
 * reads through its ChatReader (READ_API_SINK, test/helpers/readApiFixture.ts).
 */
process.env.READ_API_SINK = 'clickhouse';
await import('./api-admin.test.ts');
