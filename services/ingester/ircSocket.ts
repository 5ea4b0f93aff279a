import { isUtf8 } from 'node:buffer';
import tmi from 'tmi.js';
import tmiParser from 'tmi.js/lib/parser.js';
import { WebSocket, type RawData } from 'ws';
import type { Logger } from '../../core/log.ts';
import type { IrcEndpoint } from './parseIrcUrl.ts';

/** The parts of a tmi.js client this module touches (not in @types/tmi.js). */
interface TmiInternals {
  ws: WebSocket | null;
  server: string;
  port: number;
  secure: boolean;
  pingLoop: NodeJS.Timeout | null;
  _openConnection: () => void;
  _onOpen(): void;
  _onError(): void;
  _onClose(): void;
  handleMessage(message: unknown): void;
}

const LF = 0x0a;
const CR = 0x0d;

/** Lines tmi.js itself must see: its login handshake completes on 001/376. */
const TMI_COMMANDS = /^(?:@\S+ )?(?::\S+ )?(001|376) /;
const DRAIN_TOKEN = 'poglytics-drain';

export interface IrcSocketOptions {
  readonly endpoint: IrcEndpoint;
  /** Every line as received (no CR LF) with the time it was read and the bytes it was decoded from (a view of the frame, valid during the call). */
  readonly onLine: (line: string, receivedAt: number, bytes: Uint8Array) => void;
  /** A line whose bytes are not valid UTF-8 (no CR LF), exactly as received. */
  readonly onUndecodable: (bytes: Buffer, receivedAt: number) => void;
  /** The socket closed without `close()` being called (network drop, PONG deadline, server close). */
  readonly onDrop: (reason: string) => void;
  /** Send PING after this long without any incoming line. */
  readonly pingIdleMs: number;
  /** Drop the connection when nothing arrives this long after our PING. */
  readonly pongTimeoutMs: number;
  readonly logger?: Logger;
}

/**
 * One anonymous (justinfan) tmi.js connection, used for what tmi.js does well: TLS and the login
 * handshake. Incoming frames are read as bytes before tmi.js sees them, so every line (including
 * cheers, which tmi.js would route away from `message`) reaches `onLine` as raw text; tmi.js only
 * sees its handshake lines. Each line is decoded on its own: one emote in a frame would otherwise
 * make the whole frame, and every line sliced from it, a two-byte string (slower all the way to
 * the Kinesis record); its bytes go along with it, so that the record can copy them instead of
 * encoding the line again. A line that is not UTF-8 is handed to `onUndecodable` with its bytes
 * instead of closing the connection (ws's frame check, off here) or turning into U+FFFD unnoticed.
 * tmi.js's own reconnects, ping loop and join queue are off: liveness and reconnects belong to
 * IrcConnection, joins to JoinScheduler.
 */
export class IrcSocket {
  private readonly client: tmi.Client & TmiInternals;
  private livenessTimer: NodeJS.Timeout | undefined;
  private lastReadAt = Date.now();
  private pongDeadline = 0;
  private closing = false;
  private dropped = false;
  private connected = false;
  /** Set while a graceful close waits for the PONG that follows its PARTs. */
  private drained: (() => void) | undefined;

  constructor(private readonly options: IrcSocketOptions) {
    const { endpoint } = options;
    this.client = new tmi.Client({
      connection: { server: endpoint.server, port: endpoint.port, secure: endpoint.secure, reconnect: false },
      options: { skipMembership: true, skipUpdatingEmotesets: true, joinInterval: 300 },
      logger: { info: () => {}, warn: () => {}, error: () => {} },
    }) as tmi.Client & TmiInternals;
    // tmi.js's own _openConnection with two changes: frames come here as bytes, and UTF-8 is
    // checked per line by read() instead of per frame by ws.
    const client = this.client;
    client._openConnection = () => {
      const ws = new WebSocket(`${client.secure ? 'wss' : 'ws'}://${client.server}:${client.port}/`, 'irc', { skipUTF8Validation: true });
      client.ws = ws;
      ws.on('message', (data: RawData) =>
        this.read(Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)])),
      );
      ws.onerror = client._onError.bind(client);
      ws.onclose = client._onClose.bind(client);
      ws.onopen = client._onOpen.bind(client);
    };
    this.client.on('disconnected', (reason: string) => this.handleClose(reason));
  }

  get isOpen(): boolean {
    return this.client.ws !== null && this.client.ws.readyState === 1 && !this.closing && !this.dropped;
  }

  /** Connects and resolves after the server's welcome (376); rejects on failure or timeout. */
  async connect(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.client.connect(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`IRC connect timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      this.terminate();
      throw error instanceof Error ? error : new Error(String(error));
    } finally {
      clearTimeout(timer);
    }
    if (this.client.pingLoop) clearInterval(this.client.pingLoop);
    this.connected = true;
    this.lastReadAt = Date.now();
    this.livenessTimer = setInterval(
      () => this.checkLiveness(),
      Math.max(50, Math.min(this.options.pingIdleMs, this.options.pongTimeoutMs) / 4),
    );
    this.livenessTimer.unref();
  }

  send(line: string): boolean {
    if (!this.isOpen) return false;
    this.client.ws!.send(line);
    return true;
  }

  /**
   * Graceful close: no drop is reported. With `leave`, the channels are PARTed first and the
   * socket keeps capturing until the server answers a PING sent after the PARTs: the server
   * handles lines in order, so by then it has sent everything it will send to us, and a stop
   * loses no event that was already on its way.
   */
  async close(leave: readonly string[] = [], drainTimeoutMs = 2000): Promise<void> {
    if (this.closing) return;
    this.stopLiveness();
    const ws = this.client.ws;
    if (!ws || ws.readyState === 3) {
      this.closing = true;
      return;
    }
    if (leave.length > 0 && this.isOpen) await this.drain(leave, drainTimeoutMs);
    this.closing = true;
    await Promise.race([this.client.disconnect().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    this.terminate();
  }

  private drain(leave: readonly string[], timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.drained = undefined;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      this.drained = done;
      // Twitch accepts comma-separated PARTs; keep each line well under the 512-byte IRC limit.
      for (let i = 0; i < leave.length;) {
        let line = 'PART ';
        const first = i;
        while (i < leave.length && (i === first || line.length + leave[i]!.length + 2 < 480)) line += (i > first ? ',#' : '#') + leave[i++];
        this.send(line);
      }
      this.send(`PING :${DRAIN_TOKEN}`);
    });
  }

  /** Abrupt close (PONG deadline, shutdown deadline). */
  terminate(): void {
    this.stopLiveness();
    const ws = this.client.ws;
    if (!ws) return;
    if (ws.terminate) ws.terminate();
    else ws.close();
  }

  /** Splits a frame into CR LF terminated lines (a bare LF stays inside its line) and decodes each. */
  private read(data: Buffer): void {
    if (this.closing) return;
    const receivedAt = Date.now();
    this.lastReadAt = receivedAt;
    this.pongDeadline = 0;
    // One check for the whole frame; only a frame that fails is checked line by line.
    const valid = isUtf8(data);
    const length = data.length;
    let start = 0;
    while (start < length) {
      let lf = data.indexOf(LF, start);
      while (lf !== -1 && (lf === start || data[lf - 1] !== CR)) lf = data.indexOf(LF, lf + 1);
      const next = lf === -1 ? length : lf + 1;
      const end = lf === -1 ? length : lf - 1;
      if (end > start) {
        if (valid || isUtf8(data.subarray(start, end))) {
          this.readLine(data.toString('utf8', start, end), receivedAt, new Uint8Array(data.buffer, data.byteOffset + start, end - start));
        } else this.options.onUndecodable(Buffer.from(data.subarray(start, end)), receivedAt);
      }
      start = next;
    }
  }

  private readLine(line: string, receivedAt: number, bytes: Uint8Array): void {
    this.options.onLine(line, receivedAt, bytes);
    if (this.drained && line.endsWith(DRAIN_TOKEN) && line.includes('PONG')) this.drained();
    // Only the handshake is tmi.js's business; past it, no line needs the regular expression.
    if (!this.connected && TMI_COMMANDS.test(line)) {
      const message = tmiParser.msg(line);
      if (message) this.client.handleMessage(message);
    }
  }

  private checkLiveness(): void {
    const now = Date.now();
    if (this.pongDeadline > 0) {
      if (now >= this.pongDeadline) {
        this.options.logger?.warn('PONG deadline passed; dropping connection', { quietMs: now - this.lastReadAt });
        this.terminate();
      }
      return;
    }
    if (now - this.lastReadAt >= this.options.pingIdleMs && this.send('PING :tmi.twitch.tv')) {
      this.pongDeadline = now + this.options.pongTimeoutMs;
    }
  }

  private handleClose(reason: string): void {
    this.stopLiveness();
    if (this.closing || this.dropped || !this.connected) return;
    this.dropped = true;
    this.options.onDrop(reason || 'connection closed');
  }

  private stopLiveness(): void {
    if (this.livenessTimer) clearInterval(this.livenessTimer);
    this.livenessTimer = undefined;
  }
}
