/**
 * api-index.test.ts (/channels, /list, /capabilities, serve) on chdb, in a process of its own:
 * chdb holds one database per process, and two files' fixtures would migrate it at once.
 */
process.env.READ_API_SINK = 'clickhouse';
await import('./api-index.test.ts');
