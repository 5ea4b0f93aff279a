import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import type { AppCredentials } from './appToken.ts';

const TwitchSecretSchema = z.object({ client_id: z.string().min(1), client_secret: z.string().min(1) });

/**
 * Twitch app credentials: from Secrets Manager (JSON {client_id, client_secret}) when a secret ARN
 * is configured, else from the environment; null when there are none (static CHANNELS only).
 */
export async function loadTwitchCredentials(options: {
  readonly secretArn: string | undefined;
  readonly secrets: SecretsManagerClient | null;
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
}): Promise<AppCredentials | null> {
  if (options.secretArn && options.secrets) {
    const out = await options.secrets.send(new GetSecretValueCommand({ SecretId: options.secretArn }));
    let json: unknown;
    try {
      json = JSON.parse(out.SecretString ?? '');
    } catch {
      // Deliberately no `cause`: JSON.parse's message quotes the input, i.e. the client secret.
      throw new ConfigError('TWITCH_SECRET_ARN does not hold JSON');
    }
    const parsed = TwitchSecretSchema.safeParse(json);
    if (!parsed.success) throw new ConfigError('TWITCH_SECRET_ARN must hold JSON {"client_id","client_secret"}');
    return { clientId: parsed.data.client_id, clientSecret: parsed.data.client_secret };
  }
  if (options.clientId && options.clientSecret) return { clientId: options.clientId, clientSecret: options.clientSecret };
  return null;
}
