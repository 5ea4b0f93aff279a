/** Base of every Poglytics error. `retriable` tells the retry helper whether trying again can help. */
export class PoglyticsError extends Error {
  readonly retriable: boolean;
  constructor(message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PoglyticsError';
    this.retriable = options.retriable ?? false;
  }
}

export class ConfigError extends PoglyticsError {
  /** The variable (or flag) at fault, when one is: startup errors print `SETTING: what is wrong`. */
  readonly setting: string | undefined;
  constructor(message: string, options: { cause?: unknown; setting?: string } = {}) {
    super(message, options);
    this.name = 'ConfigError';
    this.setting = options.setting;
  }
}

export class IrcParseError extends PoglyticsError {
  constructor(message: string) {
    super(message);
    this.name = 'IrcParseError';
  }
}

export class CodecError extends PoglyticsError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'CodecError';
  }
}

export class SinkWriteError extends PoglyticsError {
  constructor(message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, { retriable: true, ...options });
    this.name = 'SinkWriteError';
  }
}

export class SinkConnectError extends PoglyticsError {
  constructor(message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, { retriable: true, ...options });
    this.name = 'SinkConnectError';
  }
}

/** A schema migration's copy does not read back as the original; the old data is kept. */
export class MigrationVerifyError extends PoglyticsError {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationVerifyError';
  }
}

export class TwitchApiError extends PoglyticsError {
  readonly status: number | undefined;
  constructor(message: string, options: { cause?: unknown; retriable?: boolean; status?: number } = {}) {
    super(message, options);
    this.name = 'TwitchApiError';
    this.status = options.status;
  }
}

export class ConflictError extends PoglyticsError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { retriable: true, ...options });
    this.name = 'ConflictError';
  }
}
