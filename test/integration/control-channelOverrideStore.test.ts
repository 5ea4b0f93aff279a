import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import { applyChannelAction } from '../../core/control/channelOverrides.ts';
import { DynamoChannelOverrideStore } from '../../core/control/documentStores.ts';
import { EMULATOR_REGION, startDynamo, type DynamoEmulator } from '../helpers/emulators.ts';

describe('channel overrides in the control table (dynalite)', () => {
  let dynamo: DynamoEmulator;
  const clients: DynamoDBClient[] = [];
  before(async () => (dynamo = await startDynamo()));
  after(async () => {
    for (const c of clients) c.destroy();
    await dynamo.close();
  });

  it('keeps every change of concurrent admins (conditional writes on a version), and reads what was written', async () => {
    const stores = [0, 1, 2].map(() => {
      const client = new DynamoDBClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: dynamo.endpoint }));
      clients.push(client);
      return new DynamoChannelOverrideStore(client, dynamo.tableName);
    });
    assert.deepEqual(await stores[0]!.load(), { added: {}, excluded: {}, removed: {} });
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        stores[i % 3]!.update((o) => applyChannelAction(o, i % 4 === 0 ? 'exclude' : 'add', `chan${i}`, i)),
      ),
    );
    const stored = await stores[1]!.load();
    assert.equal(Object.keys(stored.added).length + Object.keys(stored.excluded).length, 12);
    assert.deepEqual(Object.keys(stored.excluded).sort(), ['chan0', 'chan4', 'chan8']);
  });
});
