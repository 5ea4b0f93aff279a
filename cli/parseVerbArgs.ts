import { parseArgs, type ParseArgsConfig } from 'node:util';

/** What a verb's arguments ask for: its help, a mistake to report, or a run. */
export type VerbArgs =
  | { kind: 'help' }
  | { kind: 'error'; message: string; option?: string }
  | { kind: 'run'; values: Readonly<Record<string, string | boolean | undefined>>; positionals: string[] };

/**
 * node:util parseArgs with `--help`/`-h` added, strict, and its errors turned into one short line
 * naming the option (node's own messages are long and suggest `--` quoting), never a throw.
 */
export function parseVerbArgs(
  args: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
  allowPositionals: boolean,
): VerbArgs {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals,
      strict: true,
    });
    if (values.help === true) return { kind: 'help' };
    return { kind: 'run', values: values, positionals };
  } catch (error) {
    const option = /'(-[^' ]+)/.exec(error instanceof Error ? error.message : '')?.[1];
    return { kind: 'error', message: describeParseArgsError(error), ...(option === undefined ? {} : { option }) };
  }
}

function describeParseArgsError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const named = /'(-[^' ]+)/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${named ?? message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (named && /argument missing/.test(message)) return `${named} needs a value`;
      if (named && /ambiguous/.test(message)) return `${named} needs a value (write ${named}=VALUE for one that starts with -)`;
      return firstLine(message);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(message)?.[1] ?? message}`;
    default:
      return firstLine(message);
  }
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}

/** A string option's value, or undefined when absent. */
export function stringOption(values: Readonly<Record<string, string | boolean | undefined>>, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}
