import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProgressTally, ReplicaClient, ReplicaError } from './replica-client';

/** A stand-in for Ollama's streaming endpoints: each test says what the stream does. */
let server: Server;
let url: string;
let handler: (res: ServerResponse) => void;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(res));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

const line = (res: ServerResponse, event: object) => res.write(`${JSON.stringify(event)}\n`);
const pull = (stallMs = Infinity) => {
  const seen: number[] = [];
  const done = new ReplicaClient(url, 2_000).pull('h:1/ns/m:t', true, (p) => seen.push(p.completedBytes), new AbortController().signal, stallMs);
  return { done, seen };
};

describe('ReplicaClient.pull', () => {
  it('reports the bytes of every layer together and ends at success', async () => {
    handler = (res) => {
      line(res, { status: 'pulling manifest' });
      line(res, { status: 'pulling a', digest: 'sha256:a', total: 100, completed: 40 });
      line(res, { status: 'pulling b', digest: 'sha256:b', total: 10, completed: 10 });
      line(res, { status: 'pulling a', digest: 'sha256:a', total: 100, completed: 100 });
      line(res, { status: 'success' });
      res.end();
    };
    const { done, seen } = pull();
    await done;
    expect(seen).toEqual([40, 50, 110]);
  });

  it('fails with the error line Ollama sends', async () => {
    handler = (res) => {
      line(res, { status: 'pulling manifest' });
      line(res, { error: 'pull model manifest: file does not exist' });
      res.end();
    };
    await expect(pull().done).rejects.toThrow(new ReplicaError('pull model manifest: file does not exist'));
  });

  it('fails a stream that ends before success', async () => {
    handler = (res) => {
      line(res, { status: 'pulling a', digest: 'sha256:a', total: 100, completed: 40 });
      res.end();
    };
    await expect(pull().done).rejects.toThrow(/ended before success/);
  });

  it('fails a download that moves no byte for the stall time, though the stream stays open', async () => {
    handler = (res) => {
      line(res, { status: 'pulling a', digest: 'sha256:a', total: 100, completed: 40 });
      // Ollama retrying a vanished registry: the same progress again and again.
      const again = setInterval(() => line(res, { status: 'pulling a', digest: 'sha256:a', total: 100, completed: 40 }), 50);
      res.on('close', () => clearInterval(again));
    };
    await expect(pull(400).done).rejects.toThrow(/no bytes came for 0 s while downloading/);
  });

  it('does not count a quiet verification as a stall', async () => {
    handler = (res) => {
      line(res, { status: 'pulling a', digest: 'sha256:a', total: 100, completed: 100 });
      line(res, { status: 'verifying sha256 digest' });
      setTimeout(() => {
        line(res, { status: 'success' });
        res.end();
      }, 700);
    };
    await expect(pull(300).done).resolves.toBeUndefined();
  });
});

describe('ProgressTally', () => {
  it('ignores lines without a layer, and caps a layer at its total', () => {
    const tally = new ProgressTally();
    expect(tally.add({ completed: 5 })).toBeUndefined();
    expect(tally.add({ digest: 'd', total: 10, completed: 12 })).toEqual({ completedBytes: 10, totalBytes: 10 });
  });
});
