import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode, type GenerateRequest, type GenerationChunk } from '@shoshizan/shared-interfaces';
import type { KafkaConsumerConfig } from '../config/kafka-consumer.config';
import { HttpGptApiClient } from './gpt-api.client';

/** A stand-in for gpt-api whose answer each test sets. */
let server: Server;
let base: string;
let answer: (req: IncomingMessage, res: ServerResponse) => void;

beforeAll(async () => {
  server = createServer((req, res) => req.resume().on('end', () => answer(req, res)));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((done) => server.close(done)));

const request = { requestId: '0190a4c2-7e1b-7000-8000-00000000abcd' } as GenerateRequest;
const client = (url = base) => new HttpGptApiClient({ GPT_API_URL: url } as KafkaConsumerConfig);

async function drain(chunks: AsyncIterable<GenerationChunk>): Promise<GenerationChunk[]> {
  const all: GenerationChunk[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

async function failure(promise: Promise<unknown>): Promise<DomainException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainException) return error;
    throw error;
  }
  throw new Error('it did not fail');
}

describe('HttpGptApiClient', () => {
  it('streams the chunks of the answer', async () => {
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write('{"type":"started","model":"m:1"}\n{"type":"tok');
      res.end('en","text":"Hi"}\n');
    };
    await expect(drain(client().generate(request, new AbortController().signal))).resolves.toEqual([
      { type: 'started', model: 'm:1' },
      { type: 'token', text: 'Hi' },
    ]);
  });

  it("fails with gpt-api's refusal: its code, detail and Retry-After", async () => {
    const problem = { type: 't', title: 'Service Unavailable', status: 503, code: 'model_unavailable', detail: 'Ollama is busy.' };
    answer = (_req, res) => res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '9' }).end(JSON.stringify(problem));
    expect(await failure(drain(client().generate(request, new AbortController().signal)))).toMatchObject({
      code: ErrorCode.ModelUnavailable,
      message: 'Ollama is busy.',
      options: { retryAfterSeconds: 9 },
    });
  });

  it('takes a 5xx that is not its own for gpt-api unavailable, and any other for a fault here', async () => {
    answer = (_req, res) => res.writeHead(502).end('<html>Bad Gateway</html>');
    expect((await failure(drain(client().generate(request, new AbortController().signal)))).code).toBe(ErrorCode.UpstreamUnavailable);
    answer = (_req, res) => res.writeHead(404).end('no');
    expect((await failure(drain(client().generate(request, new AbortController().signal)))).code).toBe(ErrorCode.Internal);
  });

  it('says gpt-api is unreachable when it refuses connections, and ends quietly when stopped', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((done) => closed.close(done));
    expect(await failure(drain(client(url).generate(request, new AbortController().signal)))).toMatchObject({
      code: ErrorCode.UpstreamUnavailable,
      message: 'gpt-api is unreachable.',
    });
    const stopped = new AbortController();
    stopped.abort();
    await expect(drain(client(url).generate(request, stopped.signal))).resolves.toEqual([]);
  });

  it("is ready while gpt-api's /health/live answers 2xx", async () => {
    const asked: string[] = [];
    answer = (req, res) => {
      asked.push(req.url ?? '');
      res.writeHead(asked.length === 1 ? 200 : 500).end('{}');
    };
    await expect(client().check()).resolves.toBeUndefined();
    await expect(client().check()).rejects.toThrow('gpt-api is not ready (500)');
    expect(asked).toEqual(['/health/live', '/health/live']);
  });
});
