import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadCommonConfig, readChannelList, readInt, readUrl } from '../../core/config.ts';
import { ConfigError } from '../../core/errors.ts';

describe('the environment reader', () => {
  it('applies the documented defaults when nothing is set', () => {
    const config = loadCommonConfig({});
    assert.equal(config.maxChannels, 50_000);
    assert.equal(config.minViewers, 1);
    assert.equal(config.channelsPerConnection, 2000);
    assert.equal(config.metricsPort, 9091);
    assert.equal(config.twitchIrcUrl, 'wss://irc-ws.chat.twitch.tv:443');
    assert.equal(config.kinesisStreamName, 'poglytics-events');
    assert.equal(config.twitchClientId, undefined);
  });

  it('accepts the Go scraper names CLIENT_ID and CLIENT_SECRET as aliases', () => {
    const config = loadCommonConfig({ CLIENT_ID: ' abc ', CLIENT_SECRET: 'shh' });
    assert.equal(config.twitchClientId, 'abc');
    assert.equal(config.twitchClientSecret, 'shh');
  });

  it('prefers TWITCH_CLIENT_ID over its alias', () => {
    const config = loadCommonConfig({ TWITCH_CLIENT_ID: 'new', CLIENT_ID: 'old', TWITCH_CLIENT_SECRET: 's' });
    assert.equal(config.twitchClientId, 'new');
  });

  it('names the variable and the value in a bad-number error', () => {
    assert.throws(
      () => loadCommonConfig({ MAX_CHANNELS: 'lots' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.message, 'MAX_CHANNELS must be an integer, got "lots"');
        return true;
      },
    );
    assert.throws(() => readInt({ METRICS_PORT: '70000' }, 'METRICS_PORT', 9091, { max: 65535 }), /METRICS_PORT must be at most 65535/);
  });

  it('names a malformed URL without echoing the password it holds', () => {
    assert.throws(
      () => readUrl({ DATABASE_URL: 'postgres://app:hunter2@db:54x32/chat' }, 'DATABASE_URL'),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.message, 'DATABASE_URL must be a URL, got "postgres://***@db:54x32/chat"');
        assert.ok(!JSON.stringify({ error, cause: String(error.cause) }).includes('hunter2'));
        return true;
      },
    );
  });

  it('says a credential is required, not that it is malformed, when only half is set', () => {
    assert.throws(() => loadCommonConfig({ TWITCH_CLIENT_SECRET: 'x' }), /TWITCH_CLIENT_ID is required/);
  });

  it('normalizes channel lists and rejects impossible channel names', () => {
    assert.deepEqual(readChannelList({ CHANNELS: ' #Foo, bar,,foo ' }, 'CHANNELS'), ['foo', 'bar']);
    assert.throws(
      () => readChannelList({ CHANNELS: 'ok,not a channel' }, 'CHANNELS'),
      /CHANNELS has an invalid channel name "not a channel"/,
    );
  });

  it('rejects an endpoint that is not a URL', () => {
    assert.throws(() => loadCommonConfig({ TWITCH_IRC_URL: 'irc-ws' }), /TWITCH_IRC_URL must be a URL/);
  });
});
