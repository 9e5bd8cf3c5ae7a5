import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode, type ChatRequestEnvelopeInput } from '@shoshizan/shared-interfaces';
import type { GatewayConfig } from '../config/gateway.config';
import { HttpProducerClient } from './producer.client';

/** A stand-in for kafka-producer whose answer each test sets. */
let server: Server;
let base: string;
let answer: (req: IncomingMessage, res: ServerResponse) => void;
const paths: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    paths.push(`${req.method} ${req.url} ${String(req.headers['x-request-id'])}`);
    req.resume().on('end', () => answer(req, res));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((done) => server.close(done)));
beforeEach(() => {
  paths.length = 0;
});

const requestId = '0190a4c2-7e1b-7000-8000-00000000abcd';
const envelope = { requestId } as ChatRequestEnvelopeInput;
const client = (url = base) => new HttpProducerClient({ PRODUCER_URL: url, ENQUEUE_TIMEOUT_MS: 1000 } as GatewayConfig);
const reply = (status: number, body: string, headers: Record<string, string> = {}) => (_req: IncomingMessage, res: ServerResponse) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);

async function failure(promise: Promise<unknown>): Promise<DomainException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainException) return error;
    throw error;
  }
  throw new Error('it did not fail');
}

describe('HttpProducerClient', () => {
  it('enqueues and answers where the request went', async () => {
    const result = { requestId, topic: 'requests', partition: 0, offset: '42' };
    answer = reply(202, JSON.stringify(result));
    await expect(client().enqueue(envelope)).resolves.toEqual(result);
    expect(paths).toEqual([`POST /v1/requests ${requestId}`]);
  });

  it("passes the producer's refusal on with its code and Retry-After", async () => {
    const problem = { type: 't', title: 'Service Unavailable', status: 503, code: 'queue_unavailable', detail: 'Kafka is down.' };
    answer = reply(503, JSON.stringify(problem), { 'retry-after': '12' });
    expect(await failure(client().enqueue(envelope))).toMatchObject({ code: ErrorCode.QueueUnavailable, message: 'Kafka is down.', options: { retryAfterSeconds: 12 } });
  });

  it('takes an answer that is not its own, or none, for the queue being out of reach', async () => {
    answer = (_req, res) => res.writeHead(502).end('Bad Gateway');
    expect(await failure(client().cancel({ requestId } as never))).toMatchObject({
      code: ErrorCode.QueueUnavailable,
      message: 'kafka-producer answered 502.',
      options: { retryAfterSeconds: 5 },
    });
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((done) => closed.close(done));
    expect(await failure(client(url).enqueue(envelope))).toMatchObject({
      code: ErrorCode.QueueUnavailable,
      message: 'The request queue is unreachable; try again shortly.',
      options: { retryAfterSeconds: 5 },
    });
  });

  it("is ready while the producer's /health/ready answers 2xx", async () => {
    answer = reply(200, '{"status":"ok"}');
    await expect(client().check()).resolves.toBeUndefined();
    answer = reply(503, '{"status":"error"}');
    await expect(client().check()).rejects.toThrow('kafka-producer is not ready (503)');
    expect(paths.at(-1)).toBe('GET /health/ready undefined');
  });
});
