// A bare tmi.js client for bench/ingest.ts: raw comma-separated JOIN, counts every line tmi.js
// handles, and reports each round once it has the cumulative `expected` read from stdin.
// Plain CommonJS run by node itself, so that nothing but tmi.js is measured.
'use strict';
const tmi = require('tmi.js');
const channels = process.env.CHANNELS.split(',');
const client = new tmi.Client({
  connection: { server: process.env.HOST, port: Number(process.env.PORT), secure: false, reconnect: false },
  logger: { info() {}, warn() {}, error() {} },
});
let rooms = 0,
  events = 0,
  expected = Infinity,
  ready = false;
const handle = client.handleMessage.bind(client);
const EVENT = new Set(['PRIVMSG', 'USERNOTICE', 'CLEARCHAT', 'CLEARMSG', 'NOTICE', 'ROOMSTATE']);
client.handleMessage = (m) => {
  const counted = m && EVENT.has(m.command) && ready;
  try {
    handle(m);
  } finally {
    if (counted) {
      events++;
      check();
    }
  }
};
// tmi.js's own _onMessage, except that a line it throws on does not take the rest of the frame with it.
const parse = require('tmi.js/lib/parser');
let errors = 0;
client._onMessage = (event) => {
  for (const line of event.data.trim().split('\r\n')) {
    try {
      const msg = parse.msg(line);
      if (msg) client.handleMessage(msg);
    } catch (e) {
      if (errors++ === 0 && process.env.BENCH_DEBUG)
        process.stderr.write('tmi.js threw: ' + e.message + ' on ' + line.slice(0, 300) + '\n');
    }
  }
};
client.on('roomstate', () => {
  if (++rooms === channels.length) {
    ready = true;
    process.stdout.write('joined\n');
  }
});
client.on('message', () => {});
client.on('cheer', () => {});
let round = 0,
  reported = 0;
function check() {
  if (events >= expected && reported < round) {
    reported = round;
    process.stdout.write('done ' + round + '\n');
  }
}
process.stdin.on('data', (d) => {
  expected = Number(String(d).trim());
  round++;
  check();
});
process.stdin.on('end', () => process.exit(0));
setInterval(() => process.env.BENCH_DEBUG && process.stderr.write('tmi events ' + events + ' of ' + expected + '\n'), 2000).unref();
client.connect().then(() => {
  for (let i = 0; i < channels.length; i += 20)
    client.ws.send(
      'JOIN ' +
        channels
          .slice(i, i + 20)
          .map((c) => '#' + c)
          .join(','),
    );
});
