import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DEFAULT_METRICS_AGENT_IMAGE, InfraConfigError, loadInfraConfig, parseInfraConfig } from '../../infra/config.ts';
import { REPO_ROOT } from '../../infra/paths.ts';

const stagesDir = mkdtempSync(join(tmpdir(), 'poglytics-stages-'));
after(() => rmSync(stagesDir, { recursive: true, force: true }));

const fromContext = (context: Record<string, unknown>) => loadInfraConfig({ context: (k) => context[k], stagesDir });

describe('infrastructure config', () => {
  test('fills every setting with a default from an empty context', () => {
    const config = fromContext({});
    assert.equal(config.sink, 'clickhouse');
    assert.equal(config.architecture, 'arm64');
    assert.deepEqual(config.kinesis, { capacityMode: 'on-demand' });
    assert.equal(config.ingester.shutdownDeadlineMs, 25_000);
    assert.equal(config.ingester.stopTimeoutSeconds, 30);
    assert.equal(config.ingester.metricsAgentImage, DEFAULT_METRICS_AGENT_IMAGE);
    assert.doesNotMatch(config.ingester.metricsAgentImage, /:latest$/);
    assert.equal(config.shardCapacity, 2000);
    assert.equal(config.alarmEmail, undefined);
    // Twitch's JOIN budget for a normal account: 20 per 10 s (a verified bot may raise it by config).
    assert.equal(config.ingester.joinRateCount, 20);
    assert.equal(config.ingester.joinRateWindowMs, 10_000);
    // The read API: a stage-wide throttle, and streams up to API Gateway's 15 minutes.
    assert.deepEqual(config.readApi, { throttlingRateLimit: 50, throttlingBurstLimit: 100, memoryMiB: 512, timeoutSeconds: 900 });
    assert.equal(config.clickhouseReaderSecretName, 'poglytics/clickhouse-reader');
  });

  test('accepts the default config shipped in cdk.json unchanged', () => {
    const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: { poglytics: unknown } };
    const config = parseInfraConfig(cdkJson.context.poglytics);
    assert.deepEqual(config, parseInfraConfig({ ...(cdkJson.context.poglytics as object) }));
    assert.equal(config.refreshScheduleMinutes, 5);
  });

  test('layers cdk.json context, then the stage file, then -c sink', () => {
    writeFileSync(
      join(stagesDir, 'prod.json'),
      JSON.stringify({
        sink: 'postgres',
        kinesis: { capacityMode: 'provisioned', shardCount: 4 },
        ingester: { cpu: 1024, memoryMiB: 2048 },
      }),
    );
    const config = fromContext({ poglytics: { maxChannels: 100, ingester: { shutdownDeadlineMs: 20_000 } }, stage: 'prod' });
    assert.equal(config.stage, 'prod');
    assert.equal(config.sink, 'postgres');
    assert.equal(config.maxChannels, 100);
    assert.deepEqual(config.kinesis, { capacityMode: 'provisioned', shardCount: 4 });
    assert.equal(config.ingester.cpu, 1024);
    assert.equal(config.ingester.shutdownDeadlineMs, 20_000, 'nested objects merge');
    assert.equal(fromContext({ stage: 'prod', sink: 'clickhouse' }).sink, 'clickhouse');
  });

  test('accepts every stage file shipped in infra/stages', () => {
    const config = loadInfraConfig({ context: (k) => ({ stage: 'production' })[k], stagesDir: join(REPO_ROOT, 'infra', 'stages') });
    assert.equal(config.stage, 'production');
    assert.equal(config.database.multiAz, true);
  });

  test('parses the poglytics context when the CLI passes it as a JSON string', () => {
    assert.equal(fromContext({ poglytics: '{"sink":"postgres"}' }).sink, 'postgres');
  });

  test('rejects invalid settings and names each one', () => {
    const bad = [
      [{ sink: 'mysql' }, /sink/],
      [{ shardCapacity: 6000 }, /shardCapacity/],
      [{ kinesis: { capacityMode: 'provisioned' } }, /kinesis\.shardCount/],
      [{ alarmEmail: 'not-an-address' }, /alarmEmail/],
      [{ logRetentionDays: 10 }, /logRetentionDays/],
      [{ ingester: { cpu: 256, memoryMiB: 4096 } }, /ingester\.memoryMiB/],
      [{ ingester: { shutdownDeadlineMs: 30_000, stopTimeoutSeconds: 30 } }, /ingester\.stopTimeoutSeconds/],
      [{ refreshSchedule: 5 }, /Unrecognized key/],
      [{ ingester: { metricsAgentImage: 'public.ecr.aws/cloudwatch-agent/cloudwatch-agent:latest' } }, /ingester\.metricsAgentImage/],
      [{ ingester: { metricsAgentImage: 'public.ecr.aws/cloudwatch-agent/cloudwatch-agent' } }, /ingester\.metricsAgentImage/],
      [{ readApi: { throttlingRateLimit: 200, throttlingBurstLimit: 100 } }, /readApi\.throttlingBurstLimit/],
      [{ readApi: { timeoutSeconds: 901 } }, /readApi\.timeoutSeconds/],
    ] as const;
    for (const [input, message] of bad) {
      assert.throws(
        () => parseInfraConfig(input),
        (e: unknown) => e instanceof InfraConfigError && message.test(e.message),
        JSON.stringify(input),
      );
    }
  });

  test('fails clearly for a stage without a file', () => {
    assert.throws(() => fromContext({ stage: 'nowhere' }), /stage "nowhere" has no file/);
  });
});
