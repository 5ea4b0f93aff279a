import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import { ensureControlTable, ensureStream } from '../../services/local/ensureResources.ts';
import { hardenEmulatorServer, hardenEmulators } from '../../services/local/hardenEmulators.ts';

/**
 * In-process AWS emulators for tests: kinesalite and dynalite on 127.0.0.1, port 0, in memory.
 * Each start creates the stream or table the code expects and resolves once it is ACTIVE.
 *
 *   const kinesis = await startKinesis();            // { endpoint, streamName, close }
 *   const dynamo = await startDynamo();              // { endpoint, tableName, close }
 *   new KinesisClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: kinesis.endpoint }))
 */
const require = createRequire(import.meta.url);
type ServerFactory = (options: Record<string, unknown>) => Server;

export const EMULATOR_REGION = 'us-east-1';

export interface Emulator {
  readonly endpoint: string;
  close(): Promise<void>;
}

export interface KinesisEmulator extends Emulator {
  readonly streamName: string;
}

export interface DynamoEmulator extends Emulator {
  readonly tableName: string;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Node closes idle keep-alive sockets after 5 s; a client reusing one as it closes reads
  // ECONNRESET. Tests idle the wire for up to a minute (an injected outage), so keep them longer.
  server.keepAliveTimeout = 300_000;
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

function closer(server: Server): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= new Promise<void>((resolve) => {
      (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
      server.close(() => resolve());
    });
    return closing;
  };
}

export async function startKinesis(options: { streamName?: string; shardCount?: number } = {}): Promise<KinesisEmulator> {
  // As in `npm start`: a storage error (a call still in flight while the test closes it) answers 500 instead of throwing.
  hardenEmulators(() => undefined);
  const kinesalite = require('kinesalite') as ServerFactory;
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  hardenEmulatorServer(server);
  const endpoint = await listen(server);
  const close = closer(server);
  const streamName = options.streamName ?? 'poglytics-events';
  const client = new KinesisClient(awsClientConfig({ region: EMULATOR_REGION, endpoint }));
  try {
    await ensureStream(client, streamName, options.shardCount ?? 1);
  } catch (error) {
    await close();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, streamName, close };
}

export async function startDynamo(options: { tableName?: string } = {}): Promise<DynamoEmulator> {
  // A call still in flight while the test closes the emulator answers 500 instead of throwing.
  hardenEmulators(() => undefined);
  const dynalite = require('dynalite') as ServerFactory;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  hardenEmulatorServer(server);
  const endpoint = await listen(server);
  const close = closer(server);
  const tableName = options.tableName ?? 'poglytics-control';
  const client = new DynamoDBClient(awsClientConfig({ region: EMULATOR_REGION, endpoint }));
  try {
    await ensureControlTable(client, tableName);
  } catch (error) {
    await close();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, tableName, close };
}
