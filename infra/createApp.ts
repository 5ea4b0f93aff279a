import { App, Tags, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadInfraConfig, type InfraConfig } from './config.ts';
import { repoPath } from './paths.ts';
import { PoglyticsStack } from './PoglyticsStack.ts';

const FEATURE_FLAGS = {
  // Access logs are delivered under a bucket policy, not the legacy LogDeliveryWrite ACL.
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
};

export interface PoglyticsApp {
  readonly app: App;
  readonly config: InfraConfig;
  readonly stack: PoglyticsStack;
}

/**
 * Builds the CDK app: loads and validates the configuration once from the app's context (and
 * stage file), creates the stack, and registers cdk-nag's AwsSolutions checks, which fail the
 * synth on any unacknowledged finding.
 */
export function createApp(props: AppProps & { readonly skipBundling?: boolean } = {}): PoglyticsApp {
  const { skipBundling, ...appProps } = props;
  const app = new App({
    ...appProps,
    // Feature flags this app is written against (cdk.json or -c may still override them).
    context: { ...FEATURE_FLAGS, ...appProps.context },
    // Overrides the CLI's own value (the CLI refuses user context keys starting with "aws:").
    ...(skipBundling ? { postCliContext: { ...appProps.postCliContext, 'aws:cdk:bundling-stacks': [] } } : {}),
  });
  const config = loadInfraConfig({
    context: (key): unknown => app.node.tryGetContext(key) as unknown,
    stagesDir: repoPath('infra', 'stages'),
  });
  const stackName = config.stage ? `Poglytics-${config.stage}` : 'Poglytics';
  const stack = new PoglyticsStack(app, stackName, {
    config,
    description: `Poglytics: Twitch chat capture (${config.sink} sink)`,
  });
  Tags.of(app).add('project', 'poglytics');
  if (config.stage) Tags.of(app).add('stage', config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, config, stack };
}
