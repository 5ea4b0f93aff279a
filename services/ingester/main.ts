import { describeConfigError } from '../../core/describeConfigError.ts';
import { ConfigError } from '../../core/errors.ts';
import { createLogger } from '../../core/log.ts';
import { loadIngesterConfig, type IngesterConfig } from './loadIngesterConfig.ts';
import { readEcsTaskMetadata } from './readEcsTaskMetadata.ts';
import { runIngester } from './runIngester.ts';

/** Fargate entry point: validate config once, run, exit cleanly on SIGTERM/SIGINT within the deadline. */
async function main(): Promise<number> {
  let config: IngesterConfig;
  try {
    // On ECS the lease owner is the task ARN (what the stop-event reaper sees) and the zone is known.
    const ecs = await readEcsTaskMetadata(process.env.ECS_CONTAINER_METADATA_URI_V4);
    config = loadIngesterConfig(ecs ? { TASK_ID: ecs.taskArn, AVAILABILITY_ZONE: ecs.availabilityZone, ...process.env } : process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`ingester: ${describeConfigError(error)}\n`);
      return 2;
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, { service: 'ingester', task: config.taskId });
  let ingester: Awaited<ReturnType<typeof runIngester>>;
  try {
    ingester = await runIngester(config, { logger });
  } catch (error) {
    // Its metrics port is the one thing it binds; taken, it cannot start as configured (exit 2, like a bad setting).
    const code = (error as { code?: unknown }).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
    process.stderr.write(
      `ingester: METRICS_PORT: port ${config.metricsPort} ${code === 'EADDRINUSE' ? 'is already in use' : 'is not allowed for this user'}\n`,
    );
    return 2;
  }
  logger.info('ingester started', {
    metricsPort: ingester.metricsServer.port,
    shard: config.shardId ?? 'any',
    ircServer: config.irc.endpoint.server,
  });
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  // Past the deadline the orchestrator would kill us anyway; exit on our own terms, saying so.
  setTimeout(() => {
    logger.error('shutdown deadline passed; exiting', { deadlineMs: config.shutdownDeadlineMs });
    process.exit(1);
  }, config.shutdownDeadlineMs).unref();
  const report = await ingester.shutdown(signal);
  return report.eventsDropped > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`ingester: fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
