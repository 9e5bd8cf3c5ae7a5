import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsServerOptions {
  readonly host: string;
  /** 0 picks a free port (tests); `port` of the result says which. */
  readonly port: number;
  /** Told when collecting the metrics failed (the scrape gets 500). @default nothing */
  readonly onError?: (error: unknown) => void;
  /**
   * Also serve `GET /healthz`: 200 while this says true, else 503. For a process with no
   * HTTP API of its own (the model operator), whose probes use this port. @default none
   */
  readonly healthy?: () => boolean;
}

/** A running metrics listener. */
export interface MetricsServer {
  readonly port: number;
  /** Stops listening and drops every connection, a scrape under way included. */
  close(): Promise<void>;
}

/**
 * Serves a registry at `GET /metrics` on a port of its own, apart from the service's API:
 * the metrics say a lot about the service (routes, users' error rates, lag), and on their
 * own port they are reached only by what is let in there (Prometheus, through the chart's
 * NetworkPolicies), never through the Ingress or by a client of the API. A plain Node
 * server, not a second Nest app: it has one route and no auth, body or error mapping.
 */
export async function startMetricsServer(registry: Registry, options: MetricsServerOptions): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    void answer(registry, request, response, options);
  });
  // A scrape is one short GET: no reason to hold a connection or a slow client for long.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // A scrape cut short is harmless; a client that holds a connection open (slowly, or
        // half-sent) must not hold up the service's shutdown.
        server.closeAllConnections();
      }),
  };
}

async function answer(
  registry: Registry,
  request: IncomingMessage,
  response: ServerResponse,
  { onError, healthy }: Pick<MetricsServerOptions, 'onError' | 'healthy'>,
): Promise<void> {
  const path = (request.url ?? '/').split('?', 1)[0];
  if (path === '/healthz' && healthy) return healthy() ? send(response, 200, 'ok\n') : send(response, 503, 'unhealthy\n');
  if (path !== '/metrics') return send(response, 404, 'Not Found\n');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    return send(response, 405, 'Method Not Allowed\n');
  }
  let body: string;
  try {
    body = await registry.metrics();
  } catch (error) {
    onError?.(error);
    return send(response, 500, 'Collecting the metrics failed\n');
  }
  response.writeHead(200, {
    'Content-Type': registry.contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

function send(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}
