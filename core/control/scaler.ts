import { DescribeServicesCommand, UpdateServiceCommand, type ECSClient } from '@aws-sdk/client-ecs';

/** Sets how many ingester tasks run. ECS on AWS; the local supervisor in local mode. */
export interface Scaler {
  /** Makes the desired task count `count`; resolves whether anything had to change. */
  ensureDesiredCount(count: number): Promise<{ changed: boolean; previous: number | undefined }>;
}

/**
 * ECS: reads the service's desired count first (it may have been changed by hand or by a previous
 * invocation) and calls UpdateService only when it differs.
 */
export class EcsScaler implements Scaler {
  constructor(
    private readonly client: ECSClient,
    private readonly cluster: string,
    private readonly service: string,
  ) {}

  async ensureDesiredCount(count: number): Promise<{ changed: boolean; previous: number | undefined }> {
    const out = await this.client.send(new DescribeServicesCommand({ cluster: this.cluster, services: [this.service] }));
    const previous = out.services?.[0]?.desiredCount;
    if (previous === count) return { changed: false, previous };
    await this.client.send(new UpdateServiceCommand({ cluster: this.cluster, service: this.service, desiredCount: count }));
    return { changed: true, previous };
  }
}

/** For local mode: hands the decision to a supervisor callback, only when the count changes. */
export class CallbackScaler implements Scaler {
  private current: number | undefined;
  constructor(private readonly apply: (count: number) => void | Promise<void>) {}

  async ensureDesiredCount(count: number): Promise<{ changed: boolean; previous: number | undefined }> {
    const previous = this.current;
    if (previous === count) return { changed: false, previous };
    await this.apply(count);
    this.current = count;
    return { changed: true, previous };
  }
}
