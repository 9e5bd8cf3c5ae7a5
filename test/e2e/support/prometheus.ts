import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prometheusConfig, type ScrapeTarget } from '../../../scripts/infra/prometheus/config';
import { emptyPanelReason, substitute, type QueryContext, type Sample } from './grafana-queries';
import type { Stack } from './stack';
import { ARTIFACTS, ROOT, freePort, terminate } from './system';

/**
 * A Prometheus of a test's own (Debian's, from scripts/infra/prometheus.sh install): on a
 * free port of 127.0.0.1, its data in a temporary folder removed on stop, scraping the
 * given targets with local mode's config generator (so every series carries the labels the
 * chart's ServiceMonitors give), and the query helpers of its HTTP API. A whole `config` of
 * the caller's replaces the generated one (the cluster spec's Prometheus scrapes what the
 * cluster's ServiceMonitors name: test/cluster/support/cluster-prometheus.ts).
 */
export class OwnPrometheus {
  private child: ChildProcess | undefined;
  private dataDir: string | undefined;
  url = '';

  constructor(
    readonly targets: readonly ScrapeTarget[],
    readonly options: { readonly scrapeInterval?: string; readonly ruleFiles?: readonly string[]; readonly config?: string } = {},
  ) {}

  async start(logName: string): Promise<void> {
    const bin = execFileSync('bash', [join(ROOT, 'scripts/infra/prometheus.sh'), 'bin'], { encoding: 'utf8' }).trim();
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.dataDir = mkdtempSync(join(tmpdir(), 'shoshizan-prometheus-'));
    const config = join(this.dataDir, 'prometheus.yml');
    writeFileSync(
      config,
      this.options.config ?? prometheusConfig({ targets: this.targets, scrapeInterval: this.options.scrapeInterval ?? '1s', ruleFiles: this.options.ruleFiles ?? [] }),
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    const log = createWriteStream(join(ARTIFACTS, `${logName}.log`));
    this.child = spawn(
      join(bin, 'prometheus'),
      [`--config.file=${config}`, `--storage.tsdb.path=${join(this.dataDir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=1h'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`prometheus exited with ${this.child.exitCode}; see ${join(ARTIFACTS, `${logName}.log`)}`);
      if (await fetch(`${this.url}/-/ready`).then((r) => r.ok, () => false)) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`prometheus on ${this.url} was not ready after 30 s`);
  }

  /** Waits until every target has been scraped successfully (`up` 1 for each). */
  async waitForTargets(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let states: string[] = [];
    for (;;) {
      const body = (await (await fetch(`${this.url}/api/v1/targets?state=active`)).json()) as {
        data: { activeTargets: { scrapeUrl: string; health: string; lastError: string }[] };
      };
      const active = body.data.activeTargets;
      states = active.map((t) => `${t.scrapeUrl}: ${t.health}${t.lastError ? ` (${t.lastError})` : ''}`);
      if (active.length === this.targets.length && active.every((t) => t.health === 'up')) return;
      if (Date.now() > deadline) throw new Error(`not every target is up after ${timeoutMs} ms: ${states.join('; ') || 'none active'}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** An instant query at `time` (seconds since the epoch; default now); an error names the query. */
  async query(expr: string, time?: number): Promise<Sample[]> {
    const params = new URLSearchParams({ query: expr, ...(time !== undefined ? { time: String(time) } : {}) });
    const response = await fetch(`${this.url}/api/v1/query?${params.toString()}`);
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    if (body.status !== 'success' || !body.data) throw new Error(`Prometheus refused ${expr}: ${body.error ?? response.status}`);
    if (body.data.resultType !== 'vector') throw new Error(`${expr} is a ${body.data.resultType}, not a vector`);
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  /**
   * What would leave a dashboard panel empty: for each of its queries, with Grafana's
   * variables replaced from `context`, that returns no series, no value, or series without
   * a label its legend names, the query, why, Prometheus's answer, and which of its metrics
   * Prometheus has at all. Empty when the panel shows data.
   */
  async panelProblems(panel: { readonly queries: readonly { readonly expr: string; readonly legendFormat: string }[] }, context: QueryContext): Promise<string[]> {
    const problems: string[] = [];
    for (const { expr, legendFormat } of panel.queries) {
      const query = substitute(expr, context);
      const samples = await this.query(query);
      const reason = emptyPanelReason(samples, legendFormat);
      if (reason) problems.push(`${query}\n  -> ${reason}\n  Prometheus answered ${JSON.stringify(samples).slice(0, 600)}\n  ${await this.seriesCounts(query)}`);
    }
    return problems;
  }

  /** How many series Prometheus has of each metric a query names. */
  private async seriesCounts(query: string): Promise<string> {
    const names = [...new Set([...query.matchAll(/\b([a-z_:][a-z0-9_:]*)\{/g)].map((m) => m[1]!))];
    const counts = await Promise.all(names.map(async (name) => `${name}: ${(await this.query(`count({__name__="${name}"})`)).at(0)?.value ?? 0} series`));
    return counts.join(', ');
  }

  /** The sum of an instant query's values (0 when it has none). */
  async sum(expr: string): Promise<number> {
    return (await this.query(expr)).reduce((total, s) => total + s.value, 0);
  }

  async stop(): Promise<void> {
    if (this.child) await terminate(this.child);
    this.child = undefined;
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
    this.dataDir = undefined;
  }
}

/** The metrics endpoints of a Stack's running services, one target each. */
export function stackTargets(stack: Stack): ScrapeTarget[] {
  return Object.values(stack.services).map((service) => ({ component: service.name, address: new URL(service.metricsUrl).host }));
}
