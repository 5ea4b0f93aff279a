/**
 * The scale bench's simulator on a thread of its own (bench/scale.ts): with the emulators, the
 * consumer and the refresher on the main thread, a stall there would otherwise delay the
 * simulator's reading of JOINs, and JOINs sent in separate windows would count as one burst.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startSimulator } from '../services/twitch-sim/startSimulator.ts';
import type { SimulatorOptionsInput } from '../services/twitch-sim/types.ts';

export type SimRequest =
  | { id: number; op: 'setLive'; login: string; live: boolean }
  | { id: number; op: 'setViewers'; login: string; viewers: number }
  | { id: number; op: 'sendLine'; login: string; line: string }
  | { id: number; op: 'stats' }
  | { id: number; op: 'firstJoinAt' }
  | { id: number; op: 'stopTraffic' }
  | { id: number; op: 'records' }
  | { id: number; op: 'close' };

const sim = await startSimulator(workerData as SimulatorOptionsInput);
const port = parentPort!;
port.postMessage({
  ready: {
    ircUrl: sim.ircUrl,
    helixUrl: sim.helixUrl,
    authUrl: sim.authUrl,
    clientId: sim.options.helix.clientId,
    clientSecret: sim.options.helix.clientSecret,
    channels: sim.channels.map((c) => ({ login: c.login, id: c.id, displayName: c.displayName, viewers: c.viewers })),
  },
});
port.on('message', (request: SimRequest) => {
  void handle(request).then(
    (result) => port.postMessage({ id: request.id, result }),
    // Answered, not thrown: an unhandled rejection would end the thread and leave the bench waiting for the answer.
    (error: unknown) => port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) }),
  );
});

async function handle(request: SimRequest): Promise<unknown> {
  switch (request.op) {
    case 'setLive':
      sim.streams.setLive(request.login, request.live);
      return null;
    case 'setViewers':
      sim.streams.setViewers(request.login, request.viewers);
      return null;
    case 'sendLine':
      return sim.sendLine(request.login, request.line, 'usernotice');
    case 'stats':
      return sim.stats();
    case 'firstJoinAt':
      return sim.groundTruth.joins().reduce((min, j) => Math.min(min, j.joinedAt), Infinity);
    case 'stopTraffic':
      sim.stopTraffic();
      return null;
    case 'records':
      return sim.groundTruth.records().filter((r) => r.cause === 'traffic');
    case 'close':
      await sim.close();
      return null;
  }
}
