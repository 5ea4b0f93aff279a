import { ConfigError } from '../../core/errors.ts';

export interface IrcEndpoint {
  readonly server: string;
  readonly port: number;
  readonly secure: boolean;
}

/** TWITCH_IRC_URL (`wss://irc-ws.chat.twitch.tv:443`, `ws://127.0.0.1:6667`) → tmi.js connection settings. */
export function parseIrcUrl(url: string): IrcEndpoint {
  const parsed = new URL(url);
  if (parsed.protocol !== 'wss:' && parsed.protocol !== 'ws:') {
    throw new ConfigError(`TWITCH_IRC_URL must be a ws:// or wss:// URL, got "${url}"`, { setting: 'TWITCH_IRC_URL' });
  }
  const secure = parsed.protocol === 'wss:';
  const port = parsed.port ? Number(parsed.port) : secure ? 443 : 80;
  if (!secure && port === 443)
    throw new ConfigError('TWITCH_IRC_URL port 443 needs wss:// (tmi.js always uses TLS on 443)', { setting: 'TWITCH_IRC_URL' });
  return { server: parsed.hostname, port, secure };
}
