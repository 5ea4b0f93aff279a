/**
 * `poglytics sim`: runs the Twitch simulator (IRC over WebSocket, Helix, OAuth, /_sim control) until
 * SIGINT/SIGTERM, and prints the URLs to point the ingester and refresher at.
 */
import { setFlagsFromString } from 'node:v8';
import { startSimulator } from '../services/twitch-sim/startSimulator.ts';
import { GroundTruthMode, type SimulatorOptionsInput } from '../services/twitch-sim/types.ts';
import { bindProblem } from './bindProblem.ts';

const USAGE = `usage: poglytics sim [options]
  --port N               listen port (default 0: any free port)
  --host H               listen address (default 127.0.0.1; 0.0.0.0 in containers)
  --channels N           simulated channels (default 1000)
  --rate N               event lines per second over all channels (default 1000)
  --seed N               PRNG seed (default 1)
  --no-join-limit        no JOIN rate limit (default 20 per 10 s per connection)
  --ground-truth FILE    append every sent event as NDJSON to FILE
  --ground-truth-mode M  full | ids | counts | off kept in memory (default ids)
  --client-id ID --client-secret S   Helix app credentials (default sim-client-id / sim-client-secret)
  --shifting-pages       Helix pages shift between requests (viewer counts drift)
  --helix-rate N         Helix points per minute (default 800; 0 = unlimited)`;

function parseArgs(args: string[]): SimulatorOptionsInput | string {
  const options: SimulatorOptionsInput = { groundTruth: { mode: 'ids', maxRecords: 1_000_000 }, helix: {} };
  const int = (flag: string, value: string | undefined): number => {
    const n = Number(value);
    if (value === undefined || !Number.isInteger(n) || n < 0) throw new RangeError(`${flag} needs a non-negative integer`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const next = (): string | undefined => args[++i];
    switch (arg) {
      case '--port': options.port = int(arg, next()); break;
      case '--host': options.host = next() ?? '127.0.0.1'; break;
      case '--channels': options.channels = Math.max(1, int(arg, next())); break;
      case '--rate': options.messagesPerSecond = int(arg, next()); break;
      case '--seed': options.seed = int(arg, next()); break;
      case '--no-join-limit': options.joinLimit = null; break;
      case '--ground-truth': options.groundTruth = { ...options.groundTruth, file: next() ?? null }; break;
      case '--ground-truth-mode': {
        const mode = next();
        if (!Object.values(GroundTruthMode).includes(mode as GroundTruthMode)) throw new RangeError('--ground-truth-mode is full, ids, counts or off');
        options.groundTruth = { ...options.groundTruth, mode: mode as GroundTruthMode };
        break;
      }
      case '--client-id': options.helix = { ...options.helix, clientId: next() }; break;
      case '--client-secret': options.helix = { ...options.helix, clientSecret: next() }; break;
      case '--shifting-pages': options.helix = { ...options.helix, shiftingPages: true }; break;
      case '--helix-rate': {
        const points = int(arg, next());
        options.helix = { ...options.helix, rateLimit: points === 0 ? null : { points, windowMs: 60_000 } };
        break;
      }
      case '--help': case '-h': return USAGE;
      default: throw new RangeError(`unknown option ${arg}`);
    }
  }
  return options;
}

export async function run(args: string[]): Promise<number> {
  let options: SimulatorOptionsInput | string;
  try {
    options = parseArgs(args);
  } catch (error) {
    process.stderr.write(`poglytics sim: ${(error as Error).message}\n${USAGE}\n`);
    return 1;
  }
  if (typeof options === 'string') {
    process.stdout.write(options + '\n');
    return 0;
  }
  // Generated lines live for one tick: a larger young generation lets them die in cheap scavenges
  // instead of being promoted, which triples the sustainable rate (bench/sim.ts).
  setFlagsFromString('--max-semi-space-size=64');
  if (options.port) {
    // Asked first: a port in use would otherwise surface as an unhandled 'error' event with a stack.
    const problem = await bindProblem(options.port, options.host ?? '127.0.0.1');
    if (problem !== null) {
      process.stderr.write(`poglytics sim: --port: ${problem}\n`);
      return 2;
    }
  }
  const sim = await startSimulator(options);
  const o = sim.options;
  process.stdout.write(
    [
      `twitch simulator: ${o.channels} channels, ${o.messagesPerSecond} lines/s, seed ${o.seed}, JOIN limit ${o.joinLimit ? `${o.joinLimit.count}/${o.joinLimit.windowMs} ms` : 'off'}`,
      `TWITCH_IRC_URL=${sim.ircUrl}`,
      `TWITCH_HELIX_URL=${sim.helixUrl}`,
      `TWITCH_AUTH_URL=${sim.authUrl}`,
      `TWITCH_CLIENT_ID=${o.helix.clientId}`,
      `TWITCH_CLIENT_SECRET=${o.helix.clientSecret}`,
      `control: ${sim.httpUrl}/_sim/stats  ${sim.httpUrl}/_sim/ground-truth`,
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.close();
  return 0;
}
