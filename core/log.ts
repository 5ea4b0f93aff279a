import { redactCredentials } from './redactCredentials.ts';

/**
 * Structured JSON logs on stderr. Chat text never goes through `info`: callers log ids and counts,
 * and anything with user content only at `debug`.
 */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const SECRET_KEYS = /secret|password|token|authorization|oauth/i;

const MAX_DEPTH = 4;

/**
 * Secret-named keys become `[redacted]` at any depth, URL credentials are masked in every string
 * (an error message that echoes DATABASE_URL included), and Errors shrink to name, message, cause.
 */
function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactCredentials(value);
  if (value instanceof Error) {
    return {
      name: value.name,
      message: redactCredentials(value.message),
      cause: value.cause instanceof Error ? redactCredentials(value.cause.message) : undefined,
    };
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[nested]';
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  return redact(value as Record<string, unknown>, depth + 1);
}

function redact(fields: Record<string, unknown>, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = SECRET_KEYS.test(key) ? '[redacted]' : redactValue(value, depth);
  }
  return out;
}

export function createLogger(
  level: LogLevel = 'info',
  base: Record<string, unknown> = {},
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
): Logger {
  const threshold = ORDER[level];
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < threshold) return;
    write(
      JSON.stringify({
        time: new Date().toISOString(),
        level: lvl,
        msg: redactCredentials(msg),
        ...redact(base),
        ...(fields ? redact(fields) : {}),
      }),
    );
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (fields) => createLogger(level, { ...base, ...fields }, write),
  };
}
