import type { AddressInfo } from 'node:net';
import type { ChannelOverrideStore } from '../../core/control/channelOverrides.ts';
import type { DocumentStore } from '../../core/control/documentStores.ts';
import type { Logger } from '../../core/log.ts';
import type { OptOuts } from '../../core/optout/optOuts.ts';
import type { LiveSource } from '../../core/read/liveSource.ts';
import type { ChatReader } from '../../core/read/types.ts';
import type { ApiMetrics } from './apiMetrics.ts';
import { createApiServer } from './createApiServer.ts';
import type { ApiConfig } from './loadApiConfig.ts';

export interface RunningApi {
  /** Where clients reach it, e.g. http://127.0.0.1:8025 */
  readonly url: string;
  /** Closes open responses and the server, then the reader. */
  close(): Promise<void>;
}

/** The read service listening on API_HOST:API_PORT over `reader` (poglytics serve, and npm start). */
export async function startApiServer(
  reader: ChatReader,
  config: ApiConfig,
  extras: {
    readonly log?: Logger;
    readonly metrics?: ApiMetrics;
    readonly channelOverrides?: ChannelOverrideStore;
    readonly optOuts?: DocumentStore<OptOuts>;
    /** New events for /live (the in-process stream's hub in npm start). */
    readonly live?: LiveSource;
  } = {},
): Promise<RunningApi> {
  const server = createApiServer({
    reader,
    ...(config.adminKey ? { adminKey: config.adminKey } : {}),
    ...(config.rateLimit ? { rateLimit: config.rateLimit } : {}),
    ...extras,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await reader.close();
    },
  };
}
