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
  void (async () => {
    let result: unknown = null;
    switch (request.op) {
      case 'setLive':
        sim.streams.setLive(request.login, request.live);
        break;
      case 'setViewers':
        sim.streams.setViewers(request.login, request.viewers);
        break;
      case 'sendLine':
        result = sim.sendLine(request.login, request.line, 'usernotice');
        break;
      case 'stats':
        result = sim.stats();
        break;
      case 'firstJoinAt':
        result = sim.groundTruth.joins().reduce((min, j) => Math.min(min, j.joinedAt), Infinity);
        break;
      case 'stopTraffic':
        sim.stopTraffic();
        break;
      case 'records':
        result = sim.groundTruth.records().filter((r) => r.cause === 'traffic');
        break;
      case 'close':
        await sim.close();
        break;
    }
    port.postMessage({ id: request.id, result });
  })();
});
