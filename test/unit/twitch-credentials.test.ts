import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../../core/errors.ts';
import { loadTwitchCredentials } from '../../core/twitch/loadTwitchCredentials.ts';

const ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:poglytics/twitch-AbCdEf';

/** A real SDK client whose GetSecretValue answers `secretString` (injected at the middleware stack; no network). */
function secretsAnswering(secretString: string): SecretsManagerClient {
  const client = new SecretsManagerClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  client.middlewareStack.add(() => async () => ({ output: { SecretString: secretString, $metadata: {} }, response: {} }), {
    step: 'initialize',
    name: 'answerSecret',
  });
  return client;
}

describe('Twitch credentials', () => {
  it('reads client_id and client_secret from the secret JSON', async () => {
    const secrets = secretsAnswering('{"client_id":"abc","client_secret":"shh"}');
    const credentials = await loadTwitchCredentials({ secretArn: ARN, secrets, clientId: undefined, clientSecret: undefined });
    assert.deepEqual(credentials, { clientId: 'abc', clientSecret: 'shh' });
  });

  it('reports a secret that is not JSON without quoting any of it', async () => {
    const secrets = secretsAnswering('hunter2-plain-text');
    await assert.rejects(
      loadTwitchCredentials({ secretArn: ARN, secrets, clientId: undefined, clientSecret: undefined }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.message, 'TWITCH_SECRET_ARN does not hold JSON');
        const cause = error.cause instanceof Error ? error.cause.message : String(error.cause);
        assert.ok(!cause.includes('hunter2'), `the cause quotes the secret: ${cause}`);
        return true;
      },
    );
  });

  it('falls back to the environment pair, and to null without one', async () => {
    assert.deepEqual(await loadTwitchCredentials({ secretArn: undefined, secrets: null, clientId: 'id', clientSecret: 's' }), {
      clientId: 'id',
      clientSecret: 's',
    });
    assert.equal(await loadTwitchCredentials({ secretArn: undefined, secrets: null, clientId: undefined, clientSecret: undefined }), null);
  });
});
