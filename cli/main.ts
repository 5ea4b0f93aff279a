import { describeExpectedError } from './describeError.ts';

/**
 * `poglytics <verb>`: each verb lives in cli/<verb>.ts and exports `run(args): Promise<number>`
 * (the exit code). Verbs are imported lazily so `poglytics parse` does not load the AWS SDK.
 */
const VERBS: Record<string, { load: () => Promise<{ run: (args: string[]) => Promise<number> }>; help: string }> = {
  local: { load: () => import('./local.ts'), help: 'run the whole pipeline on this machine (npm start)' },
  sim: { load: () => import('./sim.ts'), help: 'run the Twitch simulator (IRC, Helix, OAuth)' },
  parse: { load: () => import('./parse.ts'), help: 'raw IRC lines → ChatEvent NDJSON: parse [FILE] [--received-at MS]' },
  import: { load: () => import('./import.ts'), help: 'backfill raw IRC log files into the sink: import FILE...' },
  migrate: { load: () => import('./migrate.ts'), help: "apply the sink's schema migrations" },
  query: { load: () => import('./query.ts'), help: 'analytics reports on the sink: query <report> [--json]' },
  redrive: { load: () => import('./redrive.ts'), help: 'store what the dead letter holds, once the cause is fixed (deduplicated)' },
  serve: { load: () => import('./serve.ts'), help: 'the read API (justlog/rustlog routes) on API_HOST:API_PORT' },
  channels: {
    load: () => import('./channels.ts'),
    help: 'add, remove, exclude channels at run time: channels list|add|remove|exclude|include LOGIN...',
  },
  optout: {
    load: () => import('./optout.ts'),
    help: 'opt a user or channel out (deleting what is stored) or back in: optout user|channel --id ID | --login LOGIN [--back]; optout list|audit',
  },
  report: { load: () => import('./report.ts'), help: 'a self-contained HTML chat report: report [--out FILE]' },
};

function usage(): string {
  const width = Math.max(...Object.keys(VERBS).map((v) => v.length));
  return [
    'usage: poglytics <verb> [options]',
    '',
    ...Object.entries(VERBS).map(([verb, { help }]) => `  ${verb.padEnd(width)}  ${help}`),
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  // The AWS SDK warns on Node 20 that its releases from 2027 need Node 22; the images and Lambda run
  // 22, and a user of `npm start` can do nothing about it, so it is noise in the first output they
  // read. Read by the SDK when a client is constructed, which only happens inside a verb.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    process.stdout.write(usage() + '\n');
    return verb === undefined ? 1 : 0;
  }
  const entry = VERBS[verb];
  if (!entry) {
    process.stderr.write(`poglytics: unknown verb "${verb}"\n${usage()}\n`);
    return 1;
  }
  const module = await entry.load();
  try {
    return await module.run(rest);
  } catch (error) {
    // A bad setting or an unusable resource is the user's to fix: one line naming it, no stack
    // trace, exit 2. Anything else is a bug and keeps its stack.
    const line = describeExpectedError(error);
    if (line === null) throw error;
    process.stderr.write(`poglytics ${verb}: ${line}\n`);
    return 2;
  }
}
