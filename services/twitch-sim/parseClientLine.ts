/** A line a client sent: just enough IRC parsing for the commands a Twitch client uses. */
export interface ClientLine {
  command: string;
  params: string[];
}

export function parseClientLine(raw: string): ClientLine | null {
  let rest = raw;
  if (rest.startsWith('@')) {
    const space = rest.indexOf(' ');
    if (space === -1) return null;
    rest = rest.slice(space + 1);
  }
  rest = rest.trimStart();
  if (rest.startsWith(':')) {
    const space = rest.indexOf(' ');
    if (space === -1) return null;
    rest = rest.slice(space + 1).trimStart();
  }
  if (rest.length === 0) return null;
  const trailingAt = rest.indexOf(' :');
  const head = trailingAt === -1 ? rest : rest.slice(0, trailingAt);
  const words = head.split(' ').filter((w) => w.length > 0);
  const command = words.shift();
  if (command === undefined) return null;
  if (trailingAt !== -1) words.push(rest.slice(trailingAt + 2));
  return { command: command.toUpperCase(), params: words };
}
