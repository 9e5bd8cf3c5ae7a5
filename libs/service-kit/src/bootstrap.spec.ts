import { Controller, Get, Module, Param } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServer } from 'node:net';
import { bootstrapService } from './bootstrap';
import { HealthModule } from './health/health.module';
import { loggerModule } from './logging/logger';
import { MetricsModule, createRegistry } from './metrics/metrics.module';
import { isDraining, startDraining } from './shutdown/drain';

@Controller('ping')
class PingController {
  @Get()
  ping(): string {
    return 'pong';
  }
}

@Controller('things')
class ThingsController {
  @Get(':id')
  thing(@Param('id') id: string): string {
    return `${id.length}`;
  }
}

@Module({ imports: [loggerModule('test', 'silent'), MetricsModule.forRoot(createRegistry('test'))], controllers: [PingController, ThingsController] })
class TestModule {}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('bootstrapService', () => {
  let app: NestFastifyApplication | undefined;
  let api: string;
  let metrics: string;

  beforeAll(async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    app = await bootstrapService({ service: 'bootstrap-test', module: TestModule, host: '127.0.0.1', port, metricsPort });
    api = `http://127.0.0.1:${port}`;
    metrics = `http://127.0.0.1:${metricsPort}/metrics`;
  });

  afterAll(async () => {
    await app?.close();
  });

  it('serves /metrics on the metrics port only, counting the API requests there', async () => {
    const ping = await fetch(`${api}/ping`);
    expect([ping.status, await ping.text()]).toEqual([200, 'pong']);
    const onApiPort = await fetch(`${api}/metrics`);
    expect(onApiPort.status).toBe(404);
    expect(await onApiPort.text()).not.toContain('http_requests_total');
    const scrape = await fetch(metrics);
    expect(scrape.status).toBe(200);
    const text = await scrape.text();
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/ping",status="200",service="test"\} 1$/m);
    expect(text).toMatch(/^http_requests_total\{method="GET",route="unmatched",status="404",service="test"\} 1$/m);
    expect(text).toContain('process_cpu_seconds_total');
  });

  it('hands a long path parameter to its route, and answers one past any id with a 400 problem, not a 414', async () => {
    const long = await fetch(`${api}/things/${'a'.repeat(300)}`);
    expect([long.status, await long.text()]).toEqual([200, '300']);
    const tooLong = await fetch(`${api}/things/${'a'.repeat(3000)}`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await tooLong.json()).toMatchObject({ status: 400, code: 'validation_failed' });
  });

  it('stops serving metrics when the app closes', async () => {
    expect((await fetch(metrics)).status).toBe(200);
    await app!.close();
    app = undefined;
    await expect(fetch(metrics)).rejects.toThrow();
  });
});

@Module({
  imports: [loggerModule('test', 'silent'), MetricsModule.forRoot(createRegistry('test')), HealthModule.forRoot({ checks: [] })],
  controllers: [PingController],
})
class HealthyModule {}

describe('a draining process', () => {
  let healthy: NestFastifyApplication | undefined;
  let api: string;

  let keptAlive: { made: number; closing: (string | null)[] };

  /** How many connections the server opened for `paths` asked one after the other, and each answer's Connection header. */
  const connectionsFor = async (paths: string[]) => {
    const server = healthy!.getHttpServer();
    let made = 0;
    const count = () => made++;
    server.on('connection', count);
    const closing: (string | null)[] = [];
    for (const path of paths) {
      const answer = await fetch(`${api}${path}`);
      await answer.text();
      closing.push(answer.headers.get('connection'));
    }
    server.off('connection', count);
    return { made, closing };
  };

  beforeAll(async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    healthy = await bootstrapService({ service: 'drain-test', module: HealthyModule, host: '127.0.0.1', port, metricsPort });
    api = `http://127.0.0.1:${port}`;
    keptAlive = await connectionsFor(['/ping', '/ping', '/health/ready']);
  });

  afterAll(async () => {
    await healthy?.close();
  });

  it('fails its readiness, saying why, while it still serves requests', async () => {
    expect((await fetch(`${api}/health/ready`)).status).toBe(200);
    expect(isDraining()).toBe(false);
    startDraining();
    const ready = await fetch(`${api}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'error', error: { shutdown: { status: 'down', message: 'shutting down' } } });
    expect((await fetch(`${api}/health/live`)).status).toBe(200);
    const ping = await fetch(`${api}/ping`);
    expect([ping.status, await ping.text()]).toEqual([200, 'pong']);
  });

  it('closes each connection once it has answered, so that a kept-alive client goes elsewhere', async () => {
    // Before the drain (the test's control), fetch kept connections for more than one request...
    expect(keptAlive.made).toBeLessThan(3);
    expect(keptAlive.closing).not.toContain('close');
    // ...and while draining, each answer closes its connection.
    expect(isDraining()).toBe(true);
    expect(await connectionsFor(['/ping', '/ping', '/health/ready'])).toEqual({ made: 3, closing: ['close', 'close', 'close'] });
  });
});
