import type { Server } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * Security headers on every gateway answer. The API serves JSON and event streams, never
 * pages, so its policy forbids everything a browser could load or frame; the Swagger UI
 * under /docs gets a policy that lets its own scripts and styles run.
 */
const COMMON: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-site',
  // Only honoured over HTTPS (behind the Ingress's TLS); harmless over plain HTTP.
  'strict-transport-security': 'max-age=15552000; includeSubDomains',
};
const API_CSP = "default-src 'none'; frame-ancestors 'none'";
const DOCS_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

/**
 * Set on the Node response before Fastify sees the request, so that every way an answer
 * is written carries them: replies, the event streams (which take the response over and
 * write its head themselves, after no onSend hook), and what Fastify answers before any
 * hook runs (a URL it cannot decode, a 503 while it closes). Node merges them into
 * whatever head is written.
 */
export function addSecurityHeaders(app: NestFastifyApplication): void {
  const server: Server = app.getHttpServer();
  server.prependListener('request', (request, response) => {
    for (const [name, value] of Object.entries(COMMON)) response.setHeader(name, value);
    response.setHeader('content-security-policy', request.url?.startsWith('/docs') ? DOCS_CSP : API_CSP);
  });
}
