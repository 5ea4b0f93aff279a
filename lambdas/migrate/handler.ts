import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { readLogLevel, readString } from '../../core/config.ts';
import { createLogger } from '../../core/log.ts';
import { createSinkFromEnv } from '../../core/sinks/createSink.ts';

const log = createLogger(readLogLevel(process.env), { fn: 'migrate' });

/** What the custom resource provider framework expects back from its onEvent handler. */
export interface MigrationResult {
  readonly PhysicalResourceId: string;
  readonly Data: { readonly Sink: string };
}

/**
 * CloudFormation custom resource (via the provider framework): on Create and Update applies the
 * sink's pending schema migrations, which are idempotent; on Delete does nothing, because the
 * data outlives the stack. A thrown error fails the deploy and rolls it back.
 */
export async function handler(event: CloudFormationCustomResourceEvent): Promise<MigrationResult> {
  const physicalId = event.RequestType === 'Create' ? `poglytics-migration-${event.RequestId}` : event.PhysicalResourceId;
  const sinkName = String(event.ResourceProperties.Sink ?? readString(process.env, 'SINK') ?? 'unknown');
  if (event.RequestType === 'Delete') {
    log.info('delete: schema left in place', { sink: sinkName });
    return { PhysicalResourceId: physicalId, Data: { Sink: sinkName } };
  }
  const sink = await createSinkFromEnv(process.env);
  try {
    const started = Date.now();
    await sink.migrate();
    log.info('migrations applied', { sink: sink.name, ms: Date.now() - started, request: event.RequestType });
    return { PhysicalResourceId: physicalId, Data: { Sink: sink.name } };
  } finally {
    await sink.close();
  }
}
