import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hardenEmulatorServer, hardenEmulators } from './hardenEmulators.ts';
import { startEmulatorRouter, type EmulatorRouter } from './awsEmulatorRouter.ts';

const require = createRequire(import.meta.url);

type EmulatorFactory = (options: Record<string, unknown>) => Server;

async function listen(server: Server, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

export interface LocalEmulators {
  /** One endpoint for Kinesis and DynamoDB (see awsEmulatorRouter). */
  readonly endpoint: string;
  readonly kinesisPort: number;
  readonly dynamoPort: number;
  close(): Promise<void>;
}

/**
 * kinesalite (Kinesis) and dynalite (DynamoDB), in-process, on 127.0.0.1, behind one router
 * endpoint. Streams and tables are created by the caller through the normal SDK.
 *
 * With `kinesisPath` the stream lives in a LevelDB folder there, so killing and restarting
 * `npm start` on the same data folder keeps every record that reached the stream (LevelDB's log
 * is in the page cache once a PutRecords returns, which a killed process does not lose). DynamoDB
 * stays in memory on purpose: it only holds control state (assignments, leases) that the
 * refresher rebuilds at start, and leases kept from a killed run would only make the new
 * ingesters wait for the dead ones to expire.
 */
export async function startEmulators(
  options: { host?: string; shardLimit?: number; kinesisPath?: string; onStorageError?: (error: Error) => void } = {},
): Promise<LocalEmulators> {
  const host = options.host ?? '127.0.0.1';
  // A full disk under the kept stream must fail one call, as Kinesis would, not the whole process.
  hardenEmulators((error) => options.onStorageError?.(error));
  const kinesalite = require('kinesalite') as EmulatorFactory;
  const dynalite = require('dynalite') as EmulatorFactory;
  if (options.kinesisPath) mkdirSync(options.kinesisPath, { recursive: true });
  const kinesisServer = kinesalite({
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: options.shardLimit ?? 50,
    ...(options.kinesisPath ? { path: options.kinesisPath } : {}),
  });
  const dynamoServer = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  hardenEmulatorServer(kinesisServer);
  hardenEmulatorServer(dynamoServer);
  const kinesisPort = await listen(kinesisServer, host);
  const dynamoPort = await listen(dynamoServer, host);
  const router: EmulatorRouter = await startEmulatorRouter(
    [
      { targetPrefix: 'Kinesis_', port: kinesisPort },
      { targetPrefix: 'DynamoDB_', port: dynamoPort },
    ],
    host,
  );
  const closeServer = (server: Server) =>
    new Promise<void>((resolve) => {
      (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
      server.close(() => resolve());
    });
  return {
    endpoint: router.endpoint,
    kinesisPort,
    dynamoPort,
    close: async () => {
      await router.close();
      await Promise.all([closeServer(kinesisServer), closeServer(dynamoServer)]);
    },
  };
}
