import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS, ROOT, freePort, terminate } from './system';

/** OTLP's span kinds, as its JSON encoding numbers them. */
export const SPAN_KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

/** One span as the collector exported it, flattened: its service and plain attribute values. */
export interface ExportedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: number;
  readonly attributes: Record<string, unknown>;
  /** 2: error (OTLP's STATUS_CODE_ERROR); 0 or absent: unset. */
  readonly statusCode: number;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind?: number;
        attributes?: OtlpAttribute[];
        status?: { code?: number };
      }[];
    }[];
  }[];
}

function plain(value: OtlpValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(plain);
  return undefined;
}

function attributesOf(list: OtlpAttribute[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, plain(a.value)]));
}

/** The spans of one OTLP/JSON export request. */
export function spansOf(body: OtlpExport): ExportedSpan[] {
  return (body.resourceSpans ?? []).flatMap((resourceSpans) => {
    const name = attributesOf(resourceSpans.resource?.attributes)['service.name'];
    const service = typeof name === 'string' ? name : '';
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        service,
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? '',
        name: span.name,
        kind: span.kind ?? 0,
        attributes: attributesOf(span.attributes),
        statusCode: span.status?.code ?? 0,
      })),
    );
  });
}

/**
 * A real OpenTelemetry Collector (scripts/infra/otelcol.sh builds it) of a test's own: its
 * OTLP/HTTP receiver on a free loopback port is where the services export, and its
 * otlp_http exporter hands every span on, as JSON, to an HTTP server here, which keeps them
 * for the test to read. So what a test sees went through the collector's own OTLP parsing
 * and export, as it would on its way to any trace backend.
 */
export class TraceCollector {
  readonly spans: ExportedSpan[] = [];
  private sink: Server | undefined;
  private child: ChildProcess | undefined;
  private dir: string | undefined;
  private receiverPort = 0;

  /** The base URL to give the services as OTEL_EXPORTER_OTLP_ENDPOINT. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.receiverPort}`;
  }

  async start(logName: string): Promise<void> {
    const binary = collectorBinary();
    this.sink = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        try {
          this.spans.push(...spansOf(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport));
          response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        } catch (error) {
          response.writeHead(400, { 'content-type': 'text/plain' }).end(String(error));
        }
      });
    });
    const sinkPort = await new Promise<number>((resolve) => {
      this.sink!.listen(0, '127.0.0.1', () => {
        const address = this.sink!.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
    this.receiverPort = await freePort();
    this.dir = mkdtempSync(join(tmpdir(), 'shoshizan-otelcol-'));
    const config = join(this.dir, 'config.yaml');
    writeFileSync(
      config,
      [
        'receivers:',
        '  otlp:',
        '    protocols:',
        '      http:',
        `        endpoint: 127.0.0.1:${this.receiverPort}`,
        'exporters:',
        '  otlp_http:',
        `    endpoint: http://127.0.0.1:${sinkPort}`,
        '    encoding: json',
        '    compression: none',
        'service:',
        '  telemetry:',
        '    metrics:',
        '      level: none', // no metrics port of its own: specs may run side by side
        '  pipelines:',
        '    traces:',
        '      receivers: [otlp]',
        '      exporters: [otlp_http]',
        '',
      ].join('\n'),
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    const log = createWriteStream(join(ARTIFACTS, `${logName}.log`));
    this.child = spawn(binary, ['--config', `file:${config}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`the collector exited with ${this.child.exitCode}; see ${logName}.log`);
      // An empty export is a valid one: answered once the receiver is up.
      const ready = await fetch(`${this.endpoint}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }).then((r) => r.ok, () => false);
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`the collector did not answer within 30 s; see ${logName}.log`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** The spans of one trace exported so far. */
  trace(traceId: string): ExportedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  /** Waits until the trace's spans satisfy `complete` (the services export every 5 s). */
  async waitForTrace(traceId: string, complete: (spans: ExportedSpan[]) => boolean, timeoutMs = 30_000): Promise<ExportedSpan[]> {
    const deadline = Date.now() + timeoutMs;
    while (!complete(this.trace(traceId))) {
      if (Date.now() > deadline) {
        const seen = this.trace(traceId).map((s) => `${s.service}: ${s.name}`);
        throw new Error(`trace ${traceId} not complete after ${timeoutMs} ms; spans so far: ${JSON.stringify(seen)}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return this.trace(traceId);
  }

  async stop(): Promise<void> {
    if (this.child) await terminate(this.child);
    await new Promise((r) => (this.sink ? this.sink.close(r) : r(undefined)));
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

function collectorBinary(): string {
  const result = spawnSync('bash', [join(ROOT, 'scripts/infra/otelcol.sh'), 'binary'], { encoding: 'utf8' });
  const binary = result.stdout.trim();
  if (result.status !== 0 || !existsSync(binary)) {
    throw new Error(`the OpenTelemetry Collector is not built (${binary || result.stderr}): run \`bash scripts/infra/otelcol.sh install\``);
  }
  return binary;
}
