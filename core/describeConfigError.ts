import type { ConfigError } from './errors.ts';

/**
 * A ConfigError as the one line a startup failure prints, the setting first:
 * `KINESIS_SHARDS: must be at least 1, got 0`. Every runtime (the CLI, the ingester) says it alike.
 */
export function describeConfigError(error: ConfigError): string {
  const { setting, message } = error;
  if (setting === undefined) return message;
  const rest = message.startsWith(setting) ? message.slice(setting.length).replace(/^:?\s*/, '') : message;
  return `${setting}: ${rest}`;
}
