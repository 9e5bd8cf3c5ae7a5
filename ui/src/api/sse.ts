/** One Server-Sent Event as the gateway writes it: `id` = seq, `event` = type, `data` = JSON. */
export interface SseMessage {
  id: string | undefined;
  event: string;
  data: string;
}

/**
 * Parses a text/event-stream body (the WHATWG rules, minus `retry`, which the gateway does
 * not send). EventSource cannot send an Authorization header, so streams are read with
 * fetch() and parsed here. Comments (keep-alives) are skipped.
 */
export async function* parseSse(
  body: ReadableStream<Uint8Array>,
  /** Called on every chunk received, keep-alive comments included (a sign of life). */
  onData: () => void = () => undefined,
): AsyncGenerator<SseMessage> {
  const reader = body.pipeThrough(new TextDecoderStream() as ReadableWritablePair<string, Uint8Array>).getReader();
  let buffer = '';
  let id: string | undefined;
  let event = '';
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      onData();
      buffer += value;
      let newline: number;
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          if (data.length > 0) yield { id, event: event || 'message', data: data.join('\n') };
          event = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const raw = colon < 0 ? '' : line.slice(colon + 1);
        const text = raw.startsWith(' ') ? raw.slice(1) : raw;
        if (field === 'data') data.push(text);
        else if (field === 'event') event = text;
        else if (field === 'id' && !text.includes('\0')) id = text;
      }
    }
  } finally {
    // Stopped early (the caller broke off or aborted): let go of the connection too.
    await reader.cancel().catch(() => undefined);
  }
}
