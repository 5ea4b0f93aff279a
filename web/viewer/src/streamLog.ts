import type { LogMessage } from './types.ts';

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiProblem';
  }
}

/**
 * Reads an `ndjson` log as it arrives and hands it over a chunk of lines at a time, so the first
 * lines show while the rest of a 100,000-line day is still on its way.
 */
export async function streamLog(url: string, signal: AbortSignal, onLines: (lines: LogMessage[]) => void): Promise<void> {
  const res = await fetch(url, { signal });
  if (!res.ok) throw new ApiProblem(res.status, (await res.text()).trim() || `HTTP ${res.status}`);
  if (res.body === null) return;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let rest = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const parts = (rest + value).split('\n');
    rest = parts.pop() ?? '';
    if (parts.length > 0) onLines(parts.filter((p) => p !== '').map((p) => JSON.parse(p) as LogMessage));
  }
  if (rest.trim() !== '') onLines([JSON.parse(rest) as LogMessage]);
}

export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, signal ? { signal } : {});
  if (!res.ok) throw new ApiProblem(res.status, (await res.text()).trim() || `HTTP ${res.status}`);
  return (await res.json()) as T;
}
