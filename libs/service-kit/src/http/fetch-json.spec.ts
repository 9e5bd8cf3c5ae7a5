import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, z } from '@shoshizan/shared-interfaces';
import { DomainException } from '../errors/domain.exception';
import { fetchJson } from './fetch-json';
import { rejectionOf, unreachableUrl, useStandInService } from '../../../../test/unit/support/stand-in-service';

/** A service on 127.0.0.1 whose answer each test sets; it records what it was sent. */
const service = useStandInService();
const { received } = service;

const greeting = z.strictObject({ hello: z.string() });
const json = (status: number, body: unknown, headers: Record<string, string> = {}) => (_req: IncomingMessage, res: ServerResponse) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(typeof body === 'string' ? body : JSON.stringify(body));

const failure = (promise: Promise<unknown>) => rejectionOf(promise, DomainException);

describe('fetchJson', () => {
  it('sends the method, JSON body and headers, and answers the checked body', async () => {
    service.answer = json(202, { hello: 'world' });
    const value = await fetchJson(`${service.url}/v1/things?x=1`, greeting, { timeoutMs: 1000, method: 'POST', body: { a: 1 }, headers: { 'x-request-id': 'r1' } });
    expect(value).toEqual({ hello: 'world' });
    expect(received[0]).toMatchObject({ method: 'POST', url: '/v1/things?x=1', body: '{"a":1}' });
    expect(received[0]!.headers).toMatchObject({ 'content-type': 'application/json', 'x-request-id': 'r1' });
  });

  it('sends no body and no content type for a GET', async () => {
    service.answer = json(200, { hello: 'there' });
    await fetchJson(new URL('/v1/things', service.url), greeting, { timeoutMs: 1000 });
    expect(received[0]).toMatchObject({ method: 'GET', body: '' });
    expect(received[0]!.headers['content-type']).toBeUndefined();
  });

  it("throws the service's problem as its DomainException, with Retry-After", async () => {
    service.answer = json(429, { type: 't', title: 'T', status: 429, code: 'rate_limited', detail: 'Slow down.' }, { 'retry-after': '7' });
    const error = await failure(fetchJson(`${service.url}/x`, greeting, { timeoutMs: 1000, service: 'svc' }));
    expect(error).toMatchObject({ code: ErrorCode.RateLimited, message: 'Slow down.', options: { retryAfterSeconds: 7 } });
  });

  it('takes an answer that is no problem document as an unexplained status', async () => {
    service.answer = (_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>');
    const error = await failure(fetchJson(`${service.url}/x`, greeting, { timeoutMs: 1000, service: 'svc' }));
    expect(error).toMatchObject({ code: ErrorCode.UpstreamUnavailable, message: 'svc answered 502.', options: { retryAfterSeconds: 5 } });
  });

  it.each([
    ['the wrong shape', { hi: 'world' }],
    ['no JSON at all', 'hello'],
  ])('takes a 2xx body of %s for a broken contract', async (_label, body) => {
    service.answer = json(200, body);
    const error = await failure(fetchJson(`${service.url}/x`, greeting, { timeoutMs: 1000, service: 'svc' }));
    expect(error).toMatchObject({ code: ErrorCode.Internal, message: 'svc sent an answer of the wrong shape.' });
  });

  it('gives up after timeoutMs, also when the body stalls halfway', async () => {
    service.answer = () => undefined; // never answers
    expect(await failure(fetchJson(`${service.url}/x`, greeting, { timeoutMs: 50, service: 'svc' }))).toMatchObject({
      code: ErrorCode.UpstreamTimeout,
      message: 'svc did not answer within 50 ms.',
    });
    service.answer = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).write('{"hello":');
    expect((await failure(fetchJson(`${service.url}/x`, greeting, { timeoutMs: 50 }))).code).toBe(ErrorCode.UpstreamTimeout);
  });

  it('fails with cancelled when its caller leaves', async () => {
    service.answer = () => undefined;
    const left = new AbortController();
    const call = fetchJson(`${service.url}/x`, greeting, { timeoutMs: 5000, signal: left.signal });
    setTimeout(() => left.abort(), 20);
    expect((await failure(call)).code).toBe(ErrorCode.Cancelled);
  });

  it('says a service that refuses connections is unreachable, in its own words when the caller gives them', async () => {
    const url = `${await unreachableUrl()}/x`;
    expect(await failure(fetchJson(url, greeting, { timeoutMs: 1000, service: 'svc' }))).toMatchObject({
      code: ErrorCode.UpstreamUnavailable,
      message: 'svc is unreachable.',
      options: { retryAfterSeconds: 5 },
    });
    const queue = (failed: { kind: string }) => new DomainException(ErrorCode.QueueUnavailable, `queue ${failed.kind}`);
    expect(await failure(fetchJson(url, greeting, { timeoutMs: 1000, noAnswer: queue }))).toMatchObject({
      code: ErrorCode.QueueUnavailable,
      message: 'queue unreachable',
    });
  });
});
