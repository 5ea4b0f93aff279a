import type { AssignmentChange } from '../../core/control/assignmentWatch.ts';
import type { Logger } from '../../core/log.ts';
import type { IngesterMetrics } from '../../core/metrics.ts';
import type { Capture } from './captureLine.ts';
import { IrcConnection, type ConnectionSettings } from './ircConnection.ts';
import { placeChannels } from './placeChannels.ts';

export interface ConnectionPoolOptions extends ConnectionSettings {
  readonly channelsPerConnection: number;
  readonly capture: Capture;
  /** A channel's JOIN was confirmed (ROOMSTATE) on its connection. */
  readonly onJoined?: (login: string) => void;
  readonly metrics?: IngesterMetrics;
  readonly logger?: Logger;
}

/**
 * The tmi.js connections of one task. Assigned channels are placed on connections so that
 * expected load (viewer counts) is even: enough connections for CHANNELS_PER_CONNECTION each,
 * then greedy least-loaded placement. Channels stay where they were placed until unassigned.
 */
export class ConnectionPool {
  private readonly connections: IrcConnection[] = [];
  private readonly ownerOf = new Map<string, IrcConnection>();
  private stopped = false;

  constructor(private readonly options: ConnectionPoolOptions) {}

  get size(): number {
    return this.connections.length;
  }

  get channelCount(): number {
    return this.ownerOf.size;
  }

  /** True when every connection is up (vacuously true with none). */
  get allUp(): boolean {
    return this.connections.every((c) => c.isUp);
  }

  /** Connections up now. */
  get upCount(): number {
    return this.connections.filter((c) => c.isUp).length;
  }

  get joined(): number {
    return this.connections.reduce((n, c) => n + c.joined, 0);
  }

  /** Logins whose JOIN is confirmed on their connection's current socket. */
  joinedLogins(): string[] {
    const out: string[] = [];
    for (const c of this.connections) for (const login of c.channels.keys()) if (c.joinState(login) === 'joined') out.push(login);
    return out;
  }

  /** Channel → the failure reason, for channels that could not be joined. */
  failures(): Map<string, string> {
    const out = new Map<string, string>();
    for (const c of this.connections) for (const [login, reason] of c.failures()) out.set(login, reason);
    return out;
  }

  apply(change: AssignmentChange): void {
    if (this.stopped) return;
    for (const login of change.parts) {
      this.ownerOf.get(login)?.remove(login);
      this.ownerOf.delete(login);
    }
    const fresh = change.joins.filter((c) => !this.ownerOf.has(c.login));
    const perConnection = this.options.channelsPerConnection;
    const needed = Math.ceil((this.ownerOf.size + fresh.length) / perConnection);
    while (this.connections.length < needed) this.addConnection();
    const placement = placeChannels(
      this.connections.map((c) => ({ load: c.load, count: c.channels.size, capacity: perConnection })),
      fresh,
    );
    for (const channel of fresh) {
      const slot = placement.slotOf.get(channel.login);
      if (slot === undefined) continue;
      const connection = this.connections[slot]!;
      connection.add(channel.login, channel.viewers);
      this.ownerOf.set(channel.login, connection);
    }
    if (placement.overflow.length > 0) this.options.logger?.error('channels left unplaced', { count: placement.overflow.length });
    this.options.metrics?.assignedChannels.set(this.ownerOf.size);
    this.publish();
  }

  /** Closes every connection: draining what the server already sent (orderly stop) or at once (lease lost). */
  async stop(options: { drain?: boolean } = {}): Promise<void> {
    this.stopped = true;
    await Promise.all(this.connections.map((c) => c.stop(options)));
    this.publish();
  }

  publish(): void {
    const m = this.options.metrics;
    if (!m) return;
    m.activeConnections.set(this.stopped ? 0 : this.upCount);
    m.joinedChannels.set(this.stopped ? 0 : this.joined);
  }

  private addConnection(): void {
    const { channelsPerConnection: _, capture, metrics, logger, onJoined, ...settings } = this.options;
    const connection = new IrcConnection({
      ...settings,
      index: this.connections.length,
      capture,
      onChange: () => this.publish(),
      ...(onJoined ? { onJoined } : {}),
      ...(metrics ? { metrics } : {}),
      ...(logger ? { logger: logger.child({ connection: this.connections.length }) } : {}),
    });
    this.connections.push(connection);
    connection.start();
  }
}
