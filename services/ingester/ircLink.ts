import type { IrcConnectionOptions } from './ircConnection.ts';
import { IrcSocket } from './ircSocket.ts';
import { JoinScheduler } from './joinScheduler.ts';
import type { TokenBucket } from './tokenBucket.ts';

/** One socket of a connection, with its JOIN scheduler, and a promise settled when the socket drops. */
export interface Link {
  readonly socket: IrcSocket;
  readonly scheduler: JoinScheduler;
  readonly dropped: Promise<void>;
}

export interface LinkEvents {
  onLine(link: Link, line: string, receivedAt: number, bytes: Uint8Array): void;
  onDrop(link: Link, reason: string): void;
}

/**
 * A socket wired to its scheduler (JOINs paced by the connection's one bucket, so rejoins after a
 * reconnect share the budget), to the join metrics, and back to its connection.
 */
export function createLink(options: IrcConnectionOptions, bucket: TokenBucket, events: LinkEvents): Link {
  let markDropped!: () => void;
  const dropped = new Promise<void>((resolve) => (markDropped = resolve));
  const { metrics, logger, index } = options;
  const scheduler: JoinScheduler = new JoinScheduler({
    bucket,
    send: (line) => socket.send(line),
    timeoutMs: options.joinTimeoutMs,
    maxAttempts: options.joinMaxAttempts,
    onJoined: (login, latencyMs) => {
      metrics?.joinAttempts.inc({ result: 'success' });
      metrics?.joinLatency.observe(latencyMs / 1000);
      options.onJoined?.(login);
      options.onChange?.();
    },
    onTimeout: () => metrics?.joinAttempts.inc({ result: 'timeout' }),
    onFailed: (login, reason) => {
      if (reason !== 'join_timeout') metrics?.joinAttempts.inc({ result: 'failed' });
      metrics?.joinFailures.inc({ reason });
      logger?.warn('channel join failed', { connection: index, channel: login, reason });
      options.onChange?.();
    },
  });
  const socket: IrcSocket = new IrcSocket({
    endpoint: options.endpoint,
    pingIdleMs: options.pingIdleMs,
    pongTimeoutMs: options.pongTimeoutMs,
    ...(logger ? { logger } : {}),
    onLine: (line, receivedAt, bytes) => events.onLine(link, line, receivedAt, bytes),
    onUndecodable: (bytes, receivedAt) => options.capture.rejectBytes(bytes, receivedAt, index),
    onDrop: (reason) => {
      markDropped();
      events.onDrop(link, reason);
    },
  });
  const link: Link = { socket, scheduler, dropped };
  return link;
}
