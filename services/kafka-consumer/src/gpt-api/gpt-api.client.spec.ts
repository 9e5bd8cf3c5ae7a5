import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode, type GenerateRequest, type GenerationChunk } from '@shoshizan/shared-interfaces';
import type { KafkaConsumerConfig } from '../config/kafka-consumer.config';
import { HttpGptApiClient } from './gpt-api.client';
import { rejectionOf, unreachableUrl, useStandInService } from '../../../../test/unit/support/stand-in-service';

/** A stand-in for gpt-api whose answer each test sets. */
const gptApi = useStandInService();

const request = { requestId: '0190a4c2-7e1b-7000-8000-00000000abcd' } as GenerateRequest;
const client = (url = gptApi.url) => new HttpGptApiClient({ GPT_API_URL: url } as KafkaConsumerConfig);

async function drain(chunks: AsyncIterable<GenerationChunk>): Promise<GenerationChunk[]> {
  const all: GenerationChunk[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

const failure = (promise: Promise<unknown>) => rejectionOf(promise, DomainException);

describe('HttpGptApiClient', () => {
  it('streams the chunks of the answer', async () => {
    gptApi.answer = (_req, res) => {
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
    gptApi.answer = (_req, res) => res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '9' }).end(JSON.stringify(problem));
    expect(await failure(drain(client().generate(request, new AbortController().signal)))).toMatchObject({
      code: ErrorCode.ModelUnavailable,
      message: 'Ollama is busy.',
      options: { retryAfterSeconds: 9 },
    });
  });

  it('takes a 5xx that is not its own for gpt-api unavailable, and any other for a fault here', async () => {
    gptApi.answer = (_req, res) => res.writeHead(502).end('<html>Bad Gateway</html>');
    expect((await failure(drain(client().generate(request, new AbortController().signal)))).code).toBe(ErrorCode.UpstreamUnavailable);
    gptApi.answer = (_req, res) => res.writeHead(404).end('no');
    expect((await failure(drain(client().generate(request, new AbortController().signal)))).code).toBe(ErrorCode.Internal);
  });

  it('says gpt-api is unreachable when it refuses connections, and ends quietly when stopped', async () => {
    const url = await unreachableUrl();
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
    gptApi.answer = (req, res) => {
      asked.push(req.url ?? '');
      res.writeHead(asked.length === 1 ? 200 : 500).end('{}');
    };
    await expect(client().check()).resolves.toBeUndefined();
    await expect(client().check()).rejects.toThrow('gpt-api is not ready (500)');
    expect(asked).toEqual(['/health/live', '/health/live']);
  });
});
