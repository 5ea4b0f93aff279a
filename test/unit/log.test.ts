import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readLogLevel } from '../../core/config.ts';
import { ConfigError } from '../../core/errors.ts';
import { createLogger } from '../../core/log.ts';

function capture(level: 'debug' | 'info' = 'info') {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(level, { service: 'test' }, (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  return { logger, lines };
}

describe('the logger', () => {
  it('redacts secret-named keys at any depth, not only at the top', () => {
    const { logger, lines } = capture();
    logger.info('config loaded', { clientSecret: 'hunter2', config: { sink: { password: 'hunter2', host: 'db' } } });
    const text = JSON.stringify(lines);
    assert.ok(!text.includes('hunter2'), text);
    assert.deepEqual(lines[0]?.config, { sink: { password: '[redacted]', host: 'db' } });
  });

  it('masks URL credentials in field values, messages and error messages', () => {
    const { logger, lines } = capture();
    const cause = new Error('connect to clickhouse://default:pa/ss@ch:8123 failed');
    logger.error('sink postgres://app:hunter2@db:5432/chat unreachable', {
      url: 'postgres://app:hunter2@db:5432/chat',
      error: new Error('cannot parse postgres://app:hunter2@db:5432/chat', { cause }),
    });
    const text = JSON.stringify(lines);
    assert.ok(!/hunter2|pa\/ss/.test(text), text);
    assert.equal(lines[0]?.url, 'postgres://***@db:5432/chat');
    assert.match(String(lines[0]?.msg), /postgres:\/\/\*\*\*@db:5432\/chat/);
  });

  it('keeps ordinary fields and drops levels below its threshold', () => {
    const { logger, lines } = capture('info');
    logger.debug('hidden', { n: 1 });
    logger.warn('shown', { n: 2, channels: ['a', 'b'], url: 'http://127.0.0.1:9091/metrics' });
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.msg, 'shown');
    assert.equal(lines[0]?.service, 'test');
    assert.deepEqual(lines[0]?.channels, ['a', 'b']);
    assert.equal(lines[0]?.url, 'http://127.0.0.1:9091/metrics');
  });

  it('refuses an unknown LOG_LEVEL with a ConfigError naming it instead of falling back silently', () => {
    assert.equal(readLogLevel({}), 'info');
    assert.equal(readLogLevel({ LOG_LEVEL: 'debug' }), 'debug');
    assert.throws(
      () => readLogLevel({ LOG_LEVEL: 'verbose' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /LOG_LEVEL must be one of debug, info, warn, error, got "verbose"/);
        return true;
      },
    );
  });
});
