/**
 * `poglytics sim`: runs the Twitch simulator (IRC over WebSocket, Helix, OAuth, /_sim control) until
 * SIGINT/SIGTERM, and prints the URLs to point the ingester and refresher at.
 */
import { setFlagsFromString } from 'node:v8';
import { startSimulator } from '../services/twitch-sim/startSimulator.ts';
import { GroundTruthMode, type SimulatorOptionsInput } from '../services/twitch-sim/types.ts';
import { bindProblem } from './bindProblem.ts';
import { parseVerbArgs, stringOption } from './parseVerbArgs.ts';

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

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  channels: { type: 'string' },
  rate: { type: 'string' },
  seed: { type: 'string' },
  'no-join-limit': { type: 'boolean' },
  'ground-truth': { type: 'string' },
  'ground-truth-mode': { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  'shifting-pages': { type: 'boolean' },
  'helix-rate': { type: 'string' },
} as const;

/** The simulator's options; a mistake throws a RangeError whose message names the option. */
function parseSimArgs(args: readonly string[]): SimulatorOptionsInput | 'help' {
  const parsed = parseVerbArgs(args, OPTIONS, false);
  if (parsed.kind === 'help') return 'help';
  if (parsed.kind === 'error') throw new RangeError(parsed.message);
  const value = (name: string) => stringOption(parsed.values, name);
  const int = (name: string): number | undefined => {
    const text = value(name);
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new RangeError(`--${name} needs a non-negative integer`);
    return n;
  };
  const options: SimulatorOptionsInput = { groundTruth: { mode: 'ids', maxRecords: 1_000_000 }, helix: {} };
  const port = int('port');
  if (port !== undefined) options.port = port;
  if (value('host') !== undefined) options.host = value('host');
  const channels = int('channels');
  if (channels !== undefined) options.channels = Math.max(1, channels);
  const rate = int('rate');
  if (rate !== undefined) options.messagesPerSecond = rate;
  const seed = int('seed');
  if (seed !== undefined) options.seed = seed;
  if (parsed.values['no-join-limit'] === true) options.joinLimit = null;
  const groundTruthFile = value('ground-truth');
  if (groundTruthFile !== undefined) options.groundTruth = { ...options.groundTruth, file: groundTruthFile };
  const mode = value('ground-truth-mode');
  if (mode !== undefined) {
    if (!Object.values(GroundTruthMode).includes(mode as GroundTruthMode))
      throw new RangeError('--ground-truth-mode is full, ids, counts or off');
    options.groundTruth = { ...options.groundTruth, mode: mode as GroundTruthMode };
  }
  const clientId = value('client-id');
  const clientSecret = value('client-secret');
  if (clientId !== undefined) options.helix = { ...options.helix, clientId };
  if (clientSecret !== undefined) options.helix = { ...options.helix, clientSecret };
  if (parsed.values['shifting-pages'] === true) options.helix = { ...options.helix, shiftingPages: true };
  const points = int('helix-rate');
  if (points !== undefined) options.helix = { ...options.helix, rateLimit: points === 0 ? null : { points, windowMs: 60_000 } };
  return options;
}

export async function run(args: string[]): Promise<number> {
  let options: SimulatorOptionsInput | 'help';
  try {
    options = parseSimArgs(args);
  } catch (error) {
    process.stderr.write(`poglytics sim: ${(error as Error).message}\n${USAGE}\n`);
    return 1;
  }
  if (options === 'help') {
    process.stdout.write(USAGE + '\n');
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
