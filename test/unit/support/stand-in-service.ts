import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A stand-in for another Shoshizan service on 127.0.0.1, for the unit specs of the clients
 * that call one (service-kit's fetchJson, the gateway's producer client, the worker's gpt-api
 * client). They check a real HTTP exchange, a refusal's headers or a body cut short, which a
 * mocked fetch would answer however the mock was written.
 */

/** One request the stand-in was sent. */
export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Answer = (req: IncomingMessage, res: ServerResponse) => void;

export interface StandInService {
  /** Its base URL (set once the spec's beforeAll ran). */
  readonly url: string;
  /** What it was sent since the current test began, in order. */
  readonly received: Received[];
  /** How it answers from now on; each test sets its own. */
  answer: Answer;
}

/**
 * A stand-in started before the spec's tests and closed after them. It reads each request's
 * body whole before answering, so an answer never races the request it answers.
 */
export function useStandInService(): StandInService {
  let server: Server | undefined;
  const standIn = {
    url: '',
    received: [] as Received[],
    answer: ((_req, res) => res.writeHead(500).end('no answer set')) as Answer,
  };
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        standIn.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        standIn.answer(req, res);
      });
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    standIn.received.length = 0;
  });
  afterAll(async () => {
    // A test whose answer never came leaves its connection open; it must not hold the run.
    server?.closeAllConnections();
    await new Promise((done) => server?.close(done));
  });
  return standIn;
}

/** A URL on 127.0.0.1 where nothing listens: a port taken and given back at once. */
export async function unreachableUrl(): Promise<string> {
  const closed = createServer();
  await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise((done) => closed.close(done));
  return url;
}

/**
 * The error of the given class a promise fails with. A promise that succeeds, or fails with
 * anything else, fails the test (the unexpected error is thrown on, so jest shows it).
 */
export async function rejectionOf<E extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error('it did not fail');
}
