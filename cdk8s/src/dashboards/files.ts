import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardJson, dashboards } from './index';

/** Where the chart keeps the dashboards as JSON files for import (outside templates/). */
export const DASHBOARD_FILES_DIR = join('files', 'dashboards');

/** Each dashboard's file, relative to the chart: `files/dashboards/<uid>.json`. */
export function dashboardFiles(): Map<string, string> {
  return new Map(dashboards().map((d) => [join(DASHBOARD_FILES_DIR, `${d.uid}.json`), dashboardJson(d)]));
}

/** Replaces the chart's dashboard files with those the code builds. */
export function writeDashboardFiles(chartDir: string): void {
  rmSync(join(chartDir, DASHBOARD_FILES_DIR), { recursive: true, force: true });
  mkdirSync(join(chartDir, DASHBOARD_FILES_DIR), { recursive: true });
  for (const [file, json] of dashboardFiles()) writeFileSync(join(chartDir, file), json);
}
