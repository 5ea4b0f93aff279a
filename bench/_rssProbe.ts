import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAX_SHARD_CAPACITY } from '../core/control/layout.ts';
import { startSimulator } from '../services/twitch-sim/startSimulator.ts';
import { startDynamo, startKinesis } from '../test/helpers/emulators.ts';
import { ingesterEnv, splitIntoShards, tempDir, waitFor, writeAssignment } from '../test/helpers/ingesterFixture.ts';
const [sim, kinesis, dynamo] = await Promise.all([
  startSimulator({ channels: MAX_SHARD_CAPACITY, trafficAutoStart: false, joinLimit: null, groundTruth: { mode: 'off' }, seed: 9 }),
  startKinesis(), startDynamo(),
]);
const journal = tempDir('bench-rss-');
await writeAssignment(dynamo.endpoint, dynamo.tableName, [[]]);
const env = ingesterEnv({ ircUrl: sim.ircUrl, kinesisEndpoint: kinesis.endpoint, streamName: kinesis.streamName, dynamoEndpoint: dynamo.endpoint, tableName: dynamo.tableName, journalDir: journal.path }, { SHARD_ID: '0', JOIN_RATE_COUNT: '2000', CHANNELS_PER_CONNECTION: '2000', JOIN_TIMEOUT_MS: '20000' });
const args = (process.env.PROBE_ARGS ?? '').split(' ').filter(Boolean);
const child = spawn(process.execPath, [...args, '--import', 'tsx', 'services/ingester/main.ts'], { env: { ...process.env, ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'ignore', 'pipe'] });
let out = ''; child.stderr!.on('data', (d) => (out += d));
await waitFor(() => /"metricsPort":(\d+)/.test(out), 'port');
const port = Number(/"metricsPort":(\d+)/.exec(out)![1]);
async function m() { const t = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(); const r: Record<string, number> = {}; for (const l of t.split('\n')) { const x = /^(process_resident_memory_bytes|nodejs_heap_size_used_bytes|nodejs_heap_size_total_bytes|nodejs_external_memory_bytes|twitch_scraper_joined_channels_total|poglytics_lease_held) ([0-9.e+]+)$/.exec(l); if (x) r[x[1]!] = Math.round(Number(x[2]) / (x[1]!.endsWith('bytes') ? 1048576 : 1) * 10) / 10; } return r; }
await waitFor(async () => (await m()).poglytics_lease_held === 1, 'lease');
await sleep(3000);
console.log('none', await m());
if (process.env.PROBE_SNAP) { child.kill('SIGUSR2'); await sleep(3000); console.log('none after snapshot(gc)', await m()); }
await writeAssignment(dynamo.endpoint, dynamo.tableName, splitIntoShards(sim.channels.slice(0, MAX_SHARD_CAPACITY), 1), 2);
await waitFor(async () => (await m()).twitch_scraper_joined_channels_total === MAX_SHARD_CAPACITY, 'joined', 120_000);
await sleep(3000);
console.log('joined', await m());
for (let i = 0; i < 3; i++) { await sleep(3000); console.log('joined+', await m()); }
if (process.env.PROBE_SNAP) { child.kill('SIGUSR2'); await sleep(4000); console.log('joined after snapshot(gc)', await m()); }
child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r));
journal.remove(); await Promise.all([sim.close(), kinesis.close(), dynamo.close()]);
process.exit(0);
