import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * One endpoint for several emulators, as LocalStack offers: a request's X-Amz-Target header
 * (`Kinesis_20131202.PutRecords`, `DynamoDB_20120810.GetItem`) picks the emulator it is piped to.
 * So every process sees a single AWS_ENDPOINT_URL, in local runs and with LocalStack alike.
 */
export interface EmulatorRoute {
  /** Prefix of the X-Amz-Target header, e.g. `Kinesis_` or `DynamoDB_`. */
  readonly targetPrefix: string;
  readonly port: number;
}

export interface EmulatorRouter {
  readonly endpoint: string;
  close(): Promise<void>;
}

export async function startEmulatorRouter(routes: readonly EmulatorRoute[], host = '127.0.0.1'): Promise<EmulatorRouter> {
  const server: Server = createServer((req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const route = routes.find((r) => target.startsWith(r.targetPrefix));
    if (!route) {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'UnknownOperationException', message: `no emulator for X-Amz-Target "${target}"` }));
      return;
    }
    const upstream = request(
      { host, port: route.port, method: req.method, path: req.url, headers: req.headers },
      (upstreamRes: IncomingMessage) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ __type: 'ServiceUnavailableException', message: error.message }));
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
