import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface AwsClientSettings {
  readonly region: string;
  readonly endpoint?: string | undefined;
  /** AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set (read at the edge, core/config.ts readAwsSettings). */
  readonly staticCredentials?: boolean;
}

/**
 * Shared SDK v3 client settings. With an endpoint override (kinesalite, dynalite, LocalStack) the
 * client gets an HTTP/1.1 handler, because the emulators do not speak HTTP/2, and dummy
 * credentials when none are configured, because emulators do not check them.
 */
export function awsClientConfig(settings: AwsClientSettings) {
  if (!settings.endpoint) return { region: settings.region, maxAttempts: 3 };
  const hasCredentials = settings.staticCredentials === true;
  return {
    region: settings.region,
    endpoint: settings.endpoint,
    maxAttempts: 3,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 30_000 }),
    ...(hasCredentials ? {} : { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  };
}
