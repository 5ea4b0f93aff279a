import { createServer } from 'node:net';

/** Binds and releases the port: free now, or what stands in the way. */
export async function bindProblem(port: number, host: string): Promise<string | null> {
  const server = createServer();
  try {
    await new Promise<void>((resolveListen, rejectListen) => {
      server.once('error', rejectListen);
      server.listen({ port, host, exclusive: true }, resolveListen);
    });
    return null;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'EADDRINUSE') return `${host}:${port} is already in use`;
    if (code === 'EACCES') return `${host}:${port} needs privileges this user lacks`;
    return `${host}:${port} cannot be bound (${(error as Error).message})`;
  } finally {
    if (server.listening) await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
  }
}
