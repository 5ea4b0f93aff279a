/** Reads a few samples from a Prometheus text endpoint (the local status line sums workers). */
export async function scrapeMetrics(port: number, names: readonly string[], timeoutMs = 1000): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return out;
    const text = await response.text();
    for (const line of text.split('\n')) {
      if (line.startsWith('#')) continue;
      const space = line.lastIndexOf(' ');
      if (space < 0) continue;
      const series = line.slice(0, space);
      const name = series.includes('{') ? series.slice(0, series.indexOf('{')) : series;
      if (!names.includes(name)) continue;
      const value = Number(line.slice(space + 1));
      if (Number.isFinite(value)) out[name] = (out[name] ?? 0) + value;
    }
  } catch {
    // A worker that is starting or stopping has no metrics yet; the status line shows what it has.
    return out;
  }
  return out;
}
