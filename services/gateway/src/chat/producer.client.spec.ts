import type { IncomingMessage, ServerResponse } from 'node:http';
import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode, type ChatRequestEnvelopeInput } from '@shoshizan/shared-interfaces';
import type { GatewayConfig } from '../config/gateway.config';
import { HttpProducerClient } from './producer.client';
import { rejectionOf, unreachableUrl, useStandInService } from '../../../../test/unit/support/stand-in-service';

/** A stand-in for kafka-producer whose answer each test sets. */
const producer = useStandInService();
/** Each request it was sent, as `METHOD path x-request-id`. */
const sent = () => producer.received.map((r) => `${r.method} ${r.url} ${String(r.headers['x-request-id'])}`);

const requestId = '0190a4c2-7e1b-7000-8000-00000000abcd';
const envelope = { requestId } as ChatRequestEnvelopeInput;
const client = (url = producer.url) => new HttpProducerClient({ PRODUCER_URL: url, ENQUEUE_TIMEOUT_MS: 1000 } as GatewayConfig);
const reply = (status: number, body: string, headers: Record<string, string> = {}) => (_req: IncomingMessage, res: ServerResponse) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);

const failure = (promise: Promise<unknown>) => rejectionOf(promise, DomainException);

describe('HttpProducerClient', () => {
  it('enqueues and answers where the request went', async () => {
    const result = { requestId, topic: 'requests', partition: 0, offset: '42' };
    producer.answer = reply(202, JSON.stringify(result));
    await expect(client().enqueue(envelope)).resolves.toEqual(result);
    expect(sent()).toEqual([`POST /v1/requests ${requestId}`]);
  });

  it("passes the producer's refusal on with its code and Retry-After", async () => {
    const problem = { type: 't', title: 'Service Unavailable', status: 503, code: 'queue_unavailable', detail: 'Kafka is down.' };
    producer.answer = reply(503, JSON.stringify(problem), { 'retry-after': '12' });
    expect(await failure(client().enqueue(envelope))).toMatchObject({ code: ErrorCode.QueueUnavailable, message: 'Kafka is down.', options: { retryAfterSeconds: 12 } });
  });

  it('takes an answer that is not its own, or none, for the queue being out of reach', async () => {
    producer.answer = (_req, res) => res.writeHead(502).end('Bad Gateway');
    expect(await failure(client().cancel({ requestId } as never))).toMatchObject({
      code: ErrorCode.QueueUnavailable,
      message: 'kafka-producer answered 502.',
      options: { retryAfterSeconds: 5 },
    });
    const url = await unreachableUrl();
    expect(await failure(client(url).enqueue(envelope))).toMatchObject({
      code: ErrorCode.QueueUnavailable,
      message: 'The request queue is unreachable; try again shortly.',
      options: { retryAfterSeconds: 5 },
    });
  });
});
