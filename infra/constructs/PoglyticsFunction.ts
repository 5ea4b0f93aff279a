import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { REPO_ROOT, repoPath } from '../paths.ts';

export type CpuArchitecture = 'arm64' | 'x86_64';

export interface PoglyticsFunctionProps extends Omit<NodejsFunctionProps, 'entry' | 'architecture' | 'logGroup' | 'role'> {
  /** Handler file, relative to the repository root (e.g. lambdas/stream-consumer/handler.ts). */
  readonly entry: string;
  readonly architecture?: CpuArchitecture;
  readonly logRetentionDays: number;
}

/**
 * pg's optional native binding is required lazily and is not installed: left to runtime require.
 * Everything else is bundled, the AWS SDK included, so Lambdas run the versions the tests ran.
 */
const EXTERNAL_MODULES = ['pg-native'];

/**
 * The house defaults for every Poglytics Lambda: Node 22 on ARM64, ESM bundle with source maps,
 * X-Ray tracing, an explicit log group with retention, and a role of its own that may write only
 * to that log group (no AWSLambdaBasicExecutionRole with its `logs:*` on `*`). Caller settings
 * are merged into the defaults: environment and bundling key by key, externals appended.
 */
export class PoglyticsFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PoglyticsFunctionProps) {
    super(scope, id);
    const { entry, architecture = 'arm64', logRetentionDays, environment, bundling, ...rest } = props;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${this.node.path}`,
    });
    this.logGroup.grantWrite(this.role);
    if (props.vpc) {
      // Lambda needs to create and delete its ENIs; those EC2 actions take no resource ARNs.
      this.role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        reason:
          "A function in a VPC must manage its network interfaces; the EC2 ENI actions have no resource-level permissions, so AWS's minimal managed policy is used.",
      });
    }
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions.',
    });

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the house runtime: the code is written and tested for Node 20/22 (package.json engines); a runtime bump is a deliberate, tested change.',
    });

    const houseBundling: BundlingOptions = {
      format: OutputFormat.ESM,
      target: 'node22',
      sourceMap: true,
      minify: true,
      mainFields: ['module', 'main'],
      bundleAwsSDK: true,
      // CommonJS dependencies (pg, aws-embedded-metrics) call require(); give the ESM bundle one.
      banner: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    };

    this.function = new NodejsFunction(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_22_X,
      memorySize: 512,
      timeout: Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      projectRoot: REPO_ROOT,
      depsLockFilePath: repoPath('package-lock.json'),
      ...rest,
      entry: repoPath(entry),
      handler: rest.handler ?? 'handler',
      architecture: architecture === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        ...environment,
      },
      bundling: {
        ...houseBundling,
        ...bundling,
        externalModules: [...EXTERNAL_MODULES, ...(bundling?.externalModules ?? [])],
      },
    });
  }
}
