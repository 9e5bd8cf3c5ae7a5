import { describe, expect, it, vi } from 'vitest';
import { ApiError, NetworkError, createApiClient } from './client';

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('the API client', () => {
  it('sends the access token and parses the answer', async () => {
    const fetch = vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) => json(200, { object: 'list', data: [] }));
    const api = createApiClient({ baseUrl: 'https://gw.example/', fetch, auth: { accessToken: async () => 'tok', refresh: async () => false } });
    expect(await api.listModels()).toEqual({ object: 'list', data: [] });
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('https://gw.example/v1/models');
    expect((init?.headers as Record<string, string>).authorization).toBe('Bearer tok');
  });

  it('refreshes the session once after a 401 and sends the request again', async () => {
    let token = 'old';
    const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) =>
      (init?.headers as Record<string, string>).authorization === 'Bearer new'
        ? json(200, { items: [], nextCursor: null })
        : json(401, { code: 'unauthenticated', title: 'Unauthorized', status: 401, type: 't' }),
    );
    const refresh = vi.fn(async () => {
      token = 'new';
      return true;
    });
    const api = createApiClient({ baseUrl: '', fetch, auth: { accessToken: async () => token, refresh } });
    expect(await api.listConversations({ limit: 5, q: 'sky' })).toEqual({ items: [], nextCursor: null });
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(fetch.mock.calls.map(([url]) => url)).toEqual(['/v1/conversations?limit=5&q=sky', '/v1/conversations?limit=5&q=sky']);
  });

  it('gives up with the 401 when the refresh does not help', async () => {
    const fetch = vi.fn(async () => json(401, { code: 'unauthenticated', title: 'Unauthorized', status: 401, type: 't' }));
    const refresh = vi.fn(async () => false);
    const api = createApiClient({ baseUrl: '', fetch, auth: { accessToken: async () => 'x', refresh } });
    await expect(api.listApiKeys()).rejects.toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('turns problem details into an ApiError that knows when to retry', async () => {
    const fetch = vi.fn(async () =>
      json(429, { type: 't', title: 'Too Many Requests', status: 429, code: 'rate_limited', detail: 'Slow down.' }, { 'retry-after': '17' }),
    );
    const api = createApiClient({ baseUrl: '', fetch });
    const error = (await api.postMessage('c', { content: 'hi' }).catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', message: 'Slow down.', retryAfterSeconds: 17 });
  });

  it('says when the gateway cannot be reached', async () => {
    const api = createApiClient({ baseUrl: '', fetch: async () => Promise.reject(new TypeError('Failed to fetch')) });
    await expect(api.status()).rejects.toBeInstanceOf(NetworkError);
  });

  it('streams events after Last-Event-ID', async () => {
    const sse = 'id: 3\nevent: token\ndata: {"seq":3,"type":"token","text":"hi"}\n\n: keep-alive\n\n';
    const fetch = vi.fn(async () => new Response(sse, { status: 200, headers: { 'content-type': 'text/event-stream' } }));
    const api = createApiClient({ baseUrl: '', fetch });
    const events = [];
    for await (const event of api.events('r-1', 2, new AbortController().signal)) events.push(event);
    expect(events).toEqual([{ seq: 3, type: 'token', text: 'hi' }]);
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/v1/chat/r-1/events');
    expect(init.headers).toMatchObject({ 'last-event-id': '2', accept: 'text/event-stream' });
  });
});

describe('an event stream that goes silent', () => {
  it('is ended as a network error, so that it is opened again', async () => {
    vi.useFakeTimers();
    try {
      // Headers arrive, then nothing, ever (a proxy that lost its upstream).
      const fetch = vi.fn(
        async (_url: RequestInfo | URL, init?: RequestInit) =>
          new Response(
            new ReadableStream({
              start(controller) {
                init?.signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
              },
            }),
            { status: 200 },
          ),
      );
      const api = createApiClient({ baseUrl: '', fetch });
      const reading = (async () => {
        for await (const _ of api.events('r-1', undefined, new AbortController().signal, 1000)) void _;
      })();
      const outcome = reading.catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(1500);
      expect(await outcome).toBeInstanceOf(NetworkError);
    } finally {
      vi.useRealTimers();
    }
  });
});
