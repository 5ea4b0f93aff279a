import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MONITORING_DIR = fileURLToPath(new URL('../../monitoring/', import.meta.url));
export const DASHBOARDS_DIR = join(MONITORING_DIR, 'grafana/dashboards');

export type DatasourceRef = { uid?: string; type?: string };
export type Target = {
  refId?: string;
  expr?: string;
  rawSql?: string;
  format?: string | number;
  queryType?: string;
  datasource?: DatasourceRef;
};
export type Panel = {
  id: number;
  type: string;
  title: string;
  interval?: string;
  maxDataPoints?: number;
  datasource?: DatasourceRef;
  targets?: Target[];
  panels?: Panel[];
  gridPos?: unknown;
};
export type Variable = {
  name: string;
  type: string;
  query?: string;
  datasource?: DatasourceRef;
  allValue?: string | null;
  includeAll?: boolean;
  multi?: boolean;
  current?: { value?: string | string[] };
};
export type Dashboard = { uid: string; title: string; panels: Panel[]; templating?: { list: Variable[] } };

export function loadDashboards(): { file: string; dashboard: Dashboard }[] {
  return readdirSync(DASHBOARDS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(DASHBOARDS_DIR, file), 'utf8')) as Dashboard }));
}

export function loadDashboard(file: string): Dashboard {
  const found = loadDashboards().find((d) => d.file === file);
  if (!found) throw new Error(`${file} is not in ${DASHBOARDS_DIR}`);
  return found.dashboard;
}

/** Every panel, rows' nested panels included. */
export const allPanels = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
