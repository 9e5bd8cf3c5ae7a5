import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode, type EmbedRequest } from '@shoshizan/shared-interfaces';
import type { GatewayConfig } from '../config/gateway.config';
import { EmbeddingsClient, refusalOf } from './embeddings.client';
import { rejectionOf } from '../../../../test/unit/support/stand-in-service';

const request: EmbedRequest = { requestId: '0190a4c2-7e1b-7000-8000-00000000abcd', userId: 'u1', roles: ['user'], model: 'e:1', input: ['hi'] };
const result = { model: 'e:1', embeddings: [[0.5, 0.25]], promptTokens: 1 };
const problem = (status: number, code: ErrorCode, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 't', title: 'T', status, detail: `${code} detail`, code, ...extra });

const failure = (promise: Promise<unknown>) => rejectionOf(promise, DomainException);

describe('EmbeddingsClient', () => {
  const fetchMock = jest.spyOn(globalThis, 'fetch');
  afterEach(() => fetchMock.mockReset());
  afterAll(() => fetchMock.mockRestore());
  const client = (timeoutMs = 1000) => new EmbeddingsClient({ GPT_API_URL: 'http://gpt-api:3003', EMBED_TIMEOUT_MS: timeoutMs } as GatewayConfig);

  it("posts the request to gpt-api's /v1/embed and answers its vectors", async () => {
    fetchMock.mockResolvedValue(new Response(JSON.stringify(result)));
    await expect(client().embed(request)).resolves.toEqual(result);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect((url as URL).href).toBe('http://gpt-api:3003/v1/embed');
    expect(init).toMatchObject({ method: 'POST', headers: { 'x-request-id': request.requestId } });
    expect(JSON.parse(init!.body as string)).toEqual(request);
  });

  it.each([
    ['gpt-api unreachable', () => Promise.reject(new TypeError('fetch failed')), ErrorCode.UpstreamUnavailable],
    ['an answer of the wrong shape', () => Promise.resolve(new Response('{"vectors":[]}')), ErrorCode.Internal],
    ['a refusal', () => Promise.resolve(new Response(problem(429, ErrorCode.QuotaExceeded), { status: 429 })), ErrorCode.QuotaExceeded],
  ])('fails with %s', async (_label, answer, code) => {
    fetchMock.mockImplementation(answer);
    expect((await failure(client().embed(request))).code).toBe(code);
  });

  it('gives up after EMBED_TIMEOUT_MS, and at once when the caller leaves', async () => {
    const hanging = (_url: unknown, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init!.signal!.addEventListener('abort', () => reject(new Error('aborted'))));
    fetchMock.mockImplementation(hanging);
    expect((await failure(client(10).embed(request))).code).toBe(ErrorCode.UpstreamTimeout);
    const left = new AbortController();
    const embedding = client().embed(request, left.signal);
    left.abort();
    expect((await failure(embedding)).code).toBe(ErrorCode.Cancelled);
  });
});

describe("gpt-api's refusal of embeddings", () => {
  it('keeps its code, message, fields and Retry-After', () => {
    const refused = refusalOf(400, problem(400, ErrorCode.ValidationFailed, { errors: [{ path: 'input.1', message: 'too long' }] }), null);
    expect(refused).toEqual(new DomainException(ErrorCode.ValidationFailed, 'validation_failed detail'));
    expect(refused.options.issues).toEqual([{ path: 'input.1', message: 'too long' }]);
    expect(refusalOf(429, problem(429, ErrorCode.RateLimited), '7').options.retryAfterSeconds).toBe(7);
  });

  it('names `model` when the model is not there', () => {
    const refused = refusalOf(404, problem(404, ErrorCode.ModelNotFound), null);
    expect(refused.code).toBe(ErrorCode.ModelNotFound);
    expect(refused.options.issues).toEqual([{ path: 'model', message: 'is not an available model' }]);
  });

  it.each([
    ['a not_found (a gpt-api without the route)', 404, problem(404, ErrorCode.NotFound), ErrorCode.UpstreamUnavailable],
    ["a proxy's 502 page", 502, '<html>Bad Gateway</html>', ErrorCode.UpstreamUnavailable],
    ['a 400 that is not a problem', 400, 'nope', ErrorCode.Internal],
  ])('takes %s for a fault the caller cannot help', (_label, status, body, code) => {
    expect(refusalOf(status, body, null).code).toBe(code);
  });
});
