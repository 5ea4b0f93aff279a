import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * The event source mapping's on-failure destination in S3: records that exhausted their retries
 * (or aged out) are written there in full by Lambda. Unlike aws-lambda-event-sources'
 * S3OnFailureDestination, which grants bucket.grantReadWrite (s3:GetObject*, s3:List*,
 * s3:DeleteObject*…), this grants only what Lambda needs: s3:PutObject on the objects and
 * s3:ListBucket on the bucket.
 */
export class S3DeadLetterDestination implements lambda.IEventSourceDlq {
  constructor(private readonly bucket: s3.IBucket) {}

  bind(_target: lambda.IEventSourceMapping, targetHandler: lambda.IFunction): lambda.DlqDestinationConfig {
    targetHandler.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'DeadLetterObjects', actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects('*')] }),
    );
    targetHandler.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'DeadLetterBucket', actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
    );
    return { destination: this.bucket.bucketArn };
  }
}
