import { createConnection, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a local server, for faults that must cross process
 * boundaries (a child process's SDK talks to the proxy):
 * - `pass`: bytes flow both ways.
 * - `refuse`: every connection, open or new, is reset (a host that is down).
 * - `blackhole`: connections are accepted and then nothing comes back (a dropped route): requests hang.
 * Changing the mode cuts the connections open at the time, as a real network fault would.
 */
export type ProxyMode = 'pass' | 'refuse' | 'blackhole';

export interface TcpFaultProxy {
  readonly endpoint: string;
  readonly mode: ProxyMode;
  setMode(mode: ProxyMode): void;
  close(): Promise<void>;
}

export async function startTcpFaultProxy(target: { host: string; port: number }): Promise<TcpFaultProxy> {
  let mode: ProxyMode = 'pass';
  const open = new Set<Socket>();
  const cut = (socket: Socket) => {
    if (mode === 'refuse') socket.resetAndDestroy();
    else {
      socket.unpipe();
      socket.pause();
    }
  };
  const server = createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    if (mode === 'refuse') return void client.resetAndDestroy();
    if (mode === 'blackhole') return void client.pause();
    const upstream = createConnection(target);
    open.add(upstream);
    upstream.on('close', () => {
      open.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get mode() {
      return mode;
    },
    setMode(next: ProxyMode) {
      mode = next;
      if (next !== 'pass') for (const socket of open) cut(socket);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
