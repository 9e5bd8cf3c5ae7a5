import type { ResponseEvent } from '@shoshizan/shared-interfaces';

/**
 * One Server-Sent Event per response event: `id` is the event's seq (what a client sends
 * back as Last-Event-ID), `event` its type, `data` the whole event as JSON on one line.
 */
export function formatSse(event: ResponseEvent): string {
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** A comment line: keeps proxies from closing an idle stream; clients ignore it. */
export const SSE_KEEPALIVE = ': keep-alive\n\n';
