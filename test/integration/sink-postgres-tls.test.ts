/**
 * The Postgres sink over TLS as it runs against RDS: verify-full against a CA given by setting.
 * The scratch cluster accepts TCP connections only with TLS, signed by a CA made for this run.
 */
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, SinkConnectError } from '../../core/errors.ts';
import { createSink, loadSinkConfig } from '../../core/sinks/createSink.ts';
import { makeChatEvents } from '../helpers/chatEvents.ts';
import { startScratchPostgres, type ScratchPostgres } from '../helpers/postgres.ts';

describe('Postgres sink TLS (verify-full)', () => {
  let server: ScratchPostgres;
  /** The cluster's URL with an sslmode and no sslrootcert: the CA then comes from DATABASE_CA_FILE. */
  let bare: (sslmode: string) => string;

  before(async () => {
    server = await startScratchPostgres();
    bare = (sslmode) => {
      const u = new URL(server.url);
      u.searchParams.delete('sslrootcert');
      u.searchParams.set('sslmode', sslmode);
      return u.toString();
    };
  });
  after(async () => server?.close());

  it('stores events over a verified connection when DATABASE_CA_FILE names the CA that signed the server', async () => {
    // Prepare
    const sink = createSink(await loadSinkConfig({ DATABASE_URL: bare('verify-full'), DATABASE_CA_FILE: server.caFile! }));
    // Act
    await sink.migrate();
    const result = await sink.write(makeChatEvents(3));
    await sink.close();
    // Assess
    assert.equal(result.inserted, 3);
  });

  it('refuses a server whose certificate does not chain to the configured CA, in one line naming the CA setting', async () => {
    // Prepare: a CA that signed nothing on this server.
    const otherCa = join(dirname(server.caFile!), 'other-ca.crt');
    const sink = createSink(await loadSinkConfig({ DATABASE_URL: bare('verify-full'), DATABASE_CA_FILE: otherCa }));
    // Act
    const error = await sink.migrate().catch((e: unknown) => e);
    await sink.close();
    // Assess
    assert.ok(error instanceof SinkConnectError, String(error));
    assert.doesNotMatch(error.message, /\n/);
    assert.match(error.message, /127\.0\.0\.1:\d+/);
    assert.match(error.message, /does not verify against the CA \(DATABASE_CA_FILE, or sslmode in DATABASE_URL\)/);
    assert.match(error.message, /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/);
  });

  it("refuses the system's trusted CAs for a server signed by a private CA (sslmode=verify-full without a CA file)", async () => {
    const sink = createSink(await loadSinkConfig({ DATABASE_URL: bare('require') }));
    const error = await sink.migrate().catch((e: unknown) => e);
    await sink.close();
    assert.ok(error instanceof SinkConnectError, String(error));
    assert.match(error.message, /does not verify against the CA/);
  });

  it('refuses sslmode=no-verify as a setting, before connecting', async () => {
    await assert.rejects(
      async () => createSink(await loadSinkConfig({ DATABASE_URL: bare('no-verify') })),
      (error: unknown) =>
        error instanceof ConfigError && error.setting === 'DATABASE_URL' && /no-verify would trust any server/.test(error.message),
    );
  });

  it('names DATABASE_CA_FILE when the CA bundle cannot be read', async () => {
    await assert.rejects(
      async () =>
        createSink(await loadSinkConfig({ DATABASE_URL: bare('verify-full'), DATABASE_CA_FILE: '/nonexistent/rds-global-bundle.pem' })),
      (error: unknown) => error instanceof ConfigError && error.setting === 'DATABASE_CA_FILE' && /ENOENT/.test(error.message),
    );
  });

  it('is a TLS-only server: a connection without TLS is refused (so the tests above exercised TLS)', async () => {
    const sink = createSink({ sink: 'postgres', connectionString: bare('disable') });
    const error = await sink.migrate().catch((e: unknown) => e);
    await sink.close();
    assert.ok(error instanceof SinkConnectError, String(error));
    assert.match(error.message, /refused the login/);
  });
});
