import { Controller, Get, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServer } from 'node:net';
import { bootstrapService } from '../bootstrap';
import { ConfigValidationError } from '../config/load-config';
import { HealthModule } from '../health/health.module';
import { loggerModule } from '../logging/logger';
import { MetricsModule, createRegistry } from '../metrics/metrics.module';
import { isDraining, loadDrainDelayMs, startDraining } from './drain';

describe('loadDrainDelayMs', () => {
  it('is 0 unless SHUTDOWN_DELAY_SECONDS says otherwise, in ms', () => {
    expect(loadDrainDelayMs('svc', {})).toBe(0);
    expect(loadDrainDelayMs('svc', { SHUTDOWN_DELAY_SECONDS: '' })).toBe(0);
    expect(loadDrainDelayMs('svc', { SHUTDOWN_DELAY_SECONDS: '5' })).toBe(5000);
  });

  it.each(['x', '-1', '1.5', '21'])('refuses SHUTDOWN_DELAY_SECONDS=%s by name', (value) => {
    expect(() => loadDrainDelayMs('svc', { SHUTDOWN_DELAY_SECONDS: value })).toThrow(ConfigValidationError);
    expect(() => loadDrainDelayMs('svc', { SHUTDOWN_DELAY_SECONDS: value })).toThrow(/SHUTDOWN_DELAY_SECONDS/);
  });
});

@Controller('ping')
class PingController {
  @Get()
  ping(): string {
    return 'pong';
  }
}

@Module({
  imports: [loggerModule('test', 'silent'), MetricsModule.forRoot(createRegistry('test')), HealthModule.forRoot({ checks: [] })],
  controllers: [PingController],
})
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

describe('a draining process', () => {
  let app: NestFastifyApplication | undefined;
  let api: string;

  beforeAll(async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    app = await bootstrapService({ service: 'drain-test', module: TestModule, host: '127.0.0.1', port, metricsPort });
    api = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await app?.close();
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
});
