import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { awsClientConfig, type AwsClientSettings } from '../aws/clientConfig.ts';
import { ConfigError } from '../errors.ts';

/** RDS-managed secret layout (DATABASE_SECRET_ARN). */
export const DatabaseSecretSchema = z.object({
  username: z.string().min(1),
  password: z.string(),
  host: z.string().min(1),
  port: z.coerce.number().int().positive().default(5432),
  dbname: z.string().min(1).default('postgres'),
});

/** CLICKHOUSE_SECRET_ARN layout. */
export const ClickHouseSecretSchema = z.object({
  url: z.string().url(),
  username: z.string().min(1).optional(),
  password: z.string().optional(),
  database: z.string().min(1).optional(),
});

/**
 * Reads a JSON secret from Secrets Manager and validates it. Errors name the secret and the
 * invalid fields, never the values.
 */
export async function readSecretJson<T>(
  secretArn: string,
  schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  settings: AwsClientSettings,
): Promise<T> {
  const client = new SecretsManagerClient(awsClientConfig(settings));
  try {
    const result = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    let value: unknown;
    try {
      value = JSON.parse(result.SecretString ?? '');
    } catch {
      throw new ConfigError(`secret ${secretArn} is not a JSON object`);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new ConfigError(
        `secret ${secretArn} is missing or has invalid fields: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
      );
    }
    return parsed.data;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`cannot read secret ${secretArn}: ${(error as Error).message}`, { cause: error });
  } finally {
    client.destroy();
  }
}
