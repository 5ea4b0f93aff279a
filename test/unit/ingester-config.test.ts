import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../core/errors.ts';
import { loadIngesterConfig } from '../../services/ingester/loadIngesterConfig.ts';

const configError = (pattern: RegExp) => (error: unknown) => error instanceof ConfigError && pattern.test(error.message);

describe('the ingester configuration', () => {
  it('compresses Kinesis records with brotli quality 1 unless told otherwise', () => {
    assert.deepEqual(loadIngesterConfig({}).recordCompression, { codec: 'brotli', level: 2 });
    assert.deepEqual(loadIngesterConfig({ KINESIS_COMPRESSION: 'gzip' }).recordCompression, { codec: 'gzip', level: 1 });
    assert.deepEqual(loadIngesterConfig({ KINESIS_COMPRESSION_LEVEL: '0' }).recordCompression, { codec: 'brotli', level: 0 });
  });

  it('names the variable and the allowed range for a bad compression setting', () => {
    assert.throws(
      () => loadIngesterConfig({ KINESIS_COMPRESSION: 'zstd' }),
      configError(/KINESIS_COMPRESSION must be one of brotli, gzip, got "zstd"/),
    );
    assert.throws(
      () => loadIngesterConfig({ KINESIS_COMPRESSION_LEVEL: '12' }),
      configError(/KINESIS_COMPRESSION_LEVEL must be at most 11/),
    );
    assert.throws(
      () => loadIngesterConfig({ KINESIS_COMPRESSION: 'gzip', KINESIS_COMPRESSION_LEVEL: '0' }),
      configError(/KINESIS_COMPRESSION_LEVEL must be at least 1/),
    );
    assert.throws(
      () => loadIngesterConfig({ KINESIS_GZIP_LEVEL: '6' }),
      configError(/KINESIS_GZIP_LEVEL is no longer read: set KINESIS_COMPRESSION=gzip/),
    );
  });

  it('joins at most 20 channels per 10 s (the Twitch budget of a normal account) unless told otherwise', () => {
    // Every ingester test overrides the budget to run fast; this is the one place the default is held.
    const { irc } = loadIngesterConfig({});
    assert.equal(irc.joinRateCount, 20);
    assert.equal(irc.joinRateWindowMs, 10_000);
    assert.equal(loadIngesterConfig({ JOIN_RATE_COUNT: '2000' }).irc.joinRateCount, 2000);
  });

  it('serves one slot per task unless SLOTS_PER_TASK says more, and names SLOTS_PER_TASK when it is unusable', () => {
    assert.equal(loadIngesterConfig({}).slotsPerTask, 1);
    assert.equal(loadIngesterConfig({ SLOTS_PER_TASK: '3' }).slotsPerTask, 3);
    assert.throws(() => loadIngesterConfig({ SLOTS_PER_TASK: '0' }), configError(/SLOTS_PER_TASK must be at least 1, got 0/));
    assert.throws(() => loadIngesterConfig({ SLOTS_PER_TASK: 'two' }), configError(/SLOTS_PER_TASK must be an integer, got "two"/));
  });

  it('refuses a lease renewal interval that is not shorter than the lease', () => {
    assert.throws(
      () => loadIngesterConfig({ LEASE_DURATION_MS: '5000', LEASE_RENEW_MS: '5000' }),
      configError(/LEASE_RENEW_MS must be below LEASE_DURATION_MS \(5000\)/),
    );
  });

  it('journals unacknowledged records after at most a second, and names KINESIS_SPILL_AFTER_MS when it is unusable', () => {
    assert.equal(loadIngesterConfig({}).spillAfterMs, 1000);
    assert.equal(loadIngesterConfig({ KINESIS_SPILL_AFTER_MS: '300' }).spillAfterMs, 300);
    assert.throws(
      () => loadIngesterConfig({ KINESIS_SPILL_AFTER_MS: 'soon' }),
      configError(/KINESIS_SPILL_AFTER_MS must be an integer, got "soon"/),
    );
    assert.throws(
      () => loadIngesterConfig({ KINESIS_SPILL_AFTER_MS: '0' }),
      configError(/KINESIS_SPILL_AFTER_MS must be at least 10, got 0/),
    );
    assert.throws(
      () => loadIngesterConfig({ KINESIS_SPILL_AFTER_MS: '200' }),
      configError(/KINESIS_SPILL_AFTER_MS must be above KINESIS_FLUSH_MS \(250\), got 200/),
    );
  });
});
