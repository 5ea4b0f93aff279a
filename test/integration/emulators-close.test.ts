import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PutRecordCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { BatchWriteItemCommand, GetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import { startEmulators } from '../../services/local/startEmulators.ts';
import { EMULATOR_REGION, startDynamo, startKinesis } from '../helpers/emulators.ts';

/** Callers that keep calling until the emulator has closed: some are inside an action as its database closes. */
const CALLERS = 64;

/**
 * Keeps CALLERS calls running, closes the emulator while they run, and returns the uncaught
 * exceptions seen meanwhile. A failing call is expected (reset or 500); a throw in the emulator is
 * not, since it would kill the process that hosts it (`npm start`) or the test that closes it.
 */
async function uncaughtWhileClosing(call: () => Promise<unknown>, close: () => Promise<void>): Promise<string[]> {
  const uncaught: string[] = [];
  const record = (error: Error) => void uncaught.push(error.message);
  process.prependListener('uncaughtException', record);
  let closed = false;
  let settled = 0;
  const caller = async () => {
    for (; !closed; settled++) await call().catch(() => undefined);
  };
  try {
    const callers = Array.from({ length: CALLERS }, caller);
    while (settled < CALLERS * 4) await sleep(5);
    await close();
    closed = true;
    await Promise.all(callers);
    await sleep(500);
  } finally {
    process.off('uncaughtException', record);
  }
  return uncaught;
}

describe('emulators closed with calls in flight', () => {
  it('dynalite answers them or fails them, and never throws "Database is closed"', async () => {
    const dynamo = await startDynamo();
    const client = new DynamoDBClient({ ...awsClientConfig({ region: EMULATOR_REGION, endpoint: dynamo.endpoint }), maxAttempts: 1 });
    // A batch of 25 writes reads the table, then reads and writes each item: many steps the close can fall between.
    const blob = 'x'.repeat(20_000);
    let batch = 0;
    const write = () => {
      batch++;
      const items = Array.from({ length: 25 }, (_, i) => ({
        PutRequest: { Item: { pk: { S: `item#${batch}` }, sk: { S: String(i) }, blob: { S: blob } } },
      }));
      return client.send(new BatchWriteItemCommand({ RequestItems: { [dynamo.tableName]: items } }));
    };
    const uncaught = await uncaughtWhileClosing(write, () => dynamo.close());
    client.destroy();
    assert.deepEqual(uncaught, []);
  });

  it('kinesalite answers them or fails them, and never throws', async () => {
    const kinesis = await startKinesis();
    const client = new KinesisClient({ ...awsClientConfig({ region: EMULATOR_REGION, endpoint: kinesis.endpoint }), maxAttempts: 1 });
    const put = () => client.send(new PutRecordCommand({ StreamName: kinesis.streamName, PartitionKey: 'p', Data: Buffer.from('x') }));
    const uncaught = await uncaughtWhileClosing(put, () => kinesis.close());
    client.destroy();
    assert.deepEqual(uncaught, []);
  });

  it('`npm start` emulators survive their own close with calls in flight', async () => {
    const emulators = await startEmulators();
    const config = { ...awsClientConfig({ region: EMULATOR_REGION, endpoint: emulators.endpoint }), maxAttempts: 1 };
    const dynamo = new DynamoDBClient(config);
    const key = { pk: { S: 'x' } };
    const uncaught = await uncaughtWhileClosing(
      () => dynamo.send(new GetItemCommand({ TableName: 'absent', Key: key })),
      () => emulators.close(),
    );
    dynamo.destroy();
    assert.deepEqual(uncaught, []);
  });

  it('`npm start` emulators survive a client that goes away in the middle of its request body', async () => {
    const emulators = await startEmulators();
    const uncaught: string[] = [];
    const record = (error: Error) => void uncaught.push(error.message);
    process.prependListener('uncaughtException', record);
    try {
      for (const [port, target] of [
        [emulators.kinesisPort, 'Kinesis_20131202.PutRecords'],
        [emulators.dynamoPort, 'DynamoDB_20120810.BatchWriteItem'],
      ] as const) {
        // Half a request: the headers promise 1,000 bytes, 10 come, then the connection is gone.
        const socket = connect(port, '127.0.0.1');
        await once(socket, 'connect');
        socket.write(
          `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: ${target}\r\n` +
            'Content-Type: application/x-amz-json-1.1\r\nContent-Length: 1000\r\n\r\n{"Records"',
        );
        await sleep(100);
        socket.destroy();
        await sleep(200);
      }
    } finally {
      process.off('uncaughtException', record);
      await emulators.close();
    }
    assert.deepEqual(uncaught, []);
  });
});
