import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsServer {
  /** The address the server is bound to, as the socket reports it (0.0.0.0 or :: when bound to every address). */
  readonly address: string;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The one /metrics + /healthz server of every Poglytics process (ingester, local pipeline).
 * GET /metrics: the prom-client registry. GET /healthz: 200 `ready` while `readiness()` says so
 * (an ingester: lease held, connections up), else 503 with the reason. `host` is METRICS_HOST:
 * loopback on a developer machine, 0.0.0.0 in the images so Prometheus can scrape the container.
 */
export async function startMetricsServer(options: {
  port: number;
  host: string;
  registry: Registry;
  readiness: () => { ready: boolean; detail: Record<string, unknown> };
  beforeScrape?: () => void;
}): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    if (path === '/metrics') {
      options.beforeScrape?.();
      options.registry
        .metrics()
        .then((body) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(body))
        .catch((error: Error) => res.writeHead(500).end(error.message));
      return;
    }
    if (path === '/healthz') {
      const { ready, detail } = options.readiness();
      res
        .writeHead(ready ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: ready ? 'ready' : 'not_ready', ...detail }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    address,
    port,
    url: `http://${loopbackOf(address)}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An address this machine can reach the server on: the bound one, or loopback when bound to every address. */
function loopbackOf(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return address.includes(':') ? `[${address}]` : address;
}
