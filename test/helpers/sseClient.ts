import { request, type IncomingMessage } from 'node:http';

export interface SseMessage {
  readonly id: string | undefined;
  readonly data: string;
}

/** An open Server-Sent Events response, read as it arrives: messages and comment lines in order. */
export interface SseStream {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  /** Resolves with the next message (skipping comments), in arrival order. */
  next(): Promise<SseMessage>;
  /** Resolves once a comment line with this text has arrived (e.g. a heartbeat). */
  comment(text: string): Promise<void>;
  /** The body of a response that is not a stream (an error status), once it ends. */
  text(): Promise<string>;
  close(): void;
}

/** GETs `url` and parses the event stream (`id:`, `data:`, `: comment`, blank line ends a message). */
export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers }, agent: false }, (res) => {
      const messages: SseMessage[] = [];
      const comments: string[] = [];
      let waiters: (() => void)[] = [];
      let buffer = '';
      let body = '';
      let ended = false;
      const wake = () => {
        const current = waiters;
        waiters = [];
        for (const w of current) w();
      };
      let pending: { id?: string; data: string[] } = { data: [] };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (line === '') {
            if (pending.data.length > 0) messages.push({ id: pending.id, data: pending.data.join('\n') });
            pending = { data: [] };
          } else if (line.startsWith(':')) comments.push(line.slice(1).trim());
          else if (line.startsWith('id: ')) pending.id = line.slice(4);
          else if (line.startsWith('data: ')) pending.data.push(line.slice(6));
        }
        wake();
      });
      res.on('end', () => {
        ended = true;
        wake();
      });
      res.on('error', () => undefined);
      const until = async (ready: () => boolean, what: string) => {
        while (!ready()) {
          if (ended) throw new Error(`stream ended before ${what}`);
          await new Promise<void>((r) => waiters.push(r));
        }
      };
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        async next() {
          await until(() => messages.length > 0, 'the next message');
          return messages.shift()!;
        },
        async comment(text) {
          await until(() => comments.includes(text), `comment "${text}"`);
        },
        async text() {
          await until(() => ended, 'its end');
          return body;
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}
