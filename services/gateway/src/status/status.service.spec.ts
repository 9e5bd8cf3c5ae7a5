import { Global, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule, HealthModule, ReadinessReport, type ReadinessCheck } from '@shoshizan/service-kit';
import { GATEWAY_CONFIG, gatewayConfigSchema } from '../config/gateway.config';
import { StatusModule } from './status.module';
import { STATUS_FETCH, StatusService } from './status.service';

const config = gatewayConfigSchema.parse({
  JWT_SECRET: 'x'.repeat(40),
  KAFKA_BROKERS: '127.0.0.1:9092',
  DATABASE_URL: 'postgres://u@127.0.0.1:5432/d',
});

const check = (name: string, error?: string): ReadinessCheck => ({
  name,
  check: () => (error ? Promise.reject(new Error(error)) : Promise.resolve()),
});

const ready = (details: Record<string, { status: string; message?: string }>, status = 200): Response =>
  new Response(JSON.stringify({ status: status === 200 ? 'ok' : 'error', details }), { status });

function service(fetchReadiness: (url: URL) => Promise<Response>, kafkaError?: string): StatusService {
  return new StatusService(
    config,
    new ReadinessReport([check('postgres'), check('kafka', kafkaError), check('responses-stream')]),
    ((input: URL) => fetchReadiness(input)) as typeof fetch,
  );
}

describe('StatusService', () => {
  it('reports every service up with its dependencies when all answer', async () => {
    const status = await service(async (url) =>
      url.port === '3003'
        ? ready({ ollama: { status: 'up' }, postgres: { status: 'up' } })
        : ready({ kafka: { status: 'up' } }),
    ).status();
    expect(status.state).toBe('up');
    expect(status.services.map((s) => [s.name, s.state])).toEqual([
      ['gateway', 'up'],
      ['kafka-producer', 'up'],
      ['kafka-consumer', 'up'],
      ['gpt-api', 'up'],
    ]);
    expect(status.services[0]!.dependencies.map((d) => d.name)).toEqual([
      'postgres',
      'kafka',
      'responses-stream',
    ]);
    expect(status.services[3]!.dependencies).toEqual([
      { name: 'ollama', state: 'up' },
      { name: 'postgres', state: 'up' },
    ]);
  });

  it('says which dependency is down, and which service does not answer at all', async () => {
    const status = await service(async (url) => {
      if (url.port === '3002') throw new Error('connect ECONNREFUSED');
      if (url.port === '3003') return ready({ ollama: { status: 'down', message: 'fetch failed' } }, 503);
      return ready({ kafka: { status: 'up' } });
    }, 'the cluster reported no brokers').status();
    expect(status.state).toBe('down');
    const byName = Object.fromEntries(status.services.map((s) => [s.name, s]));
    expect(byName.gateway!.state).toBe('down');
    expect(byName.gateway!.dependencies.find((d) => d.name === 'kafka')).toEqual({
      name: 'kafka',
      state: 'down',
      message: 'the cluster reported no brokers',
    });
    expect(byName['kafka-consumer']).toMatchObject({ state: 'down', dependencies: [] });
    expect(byName['kafka-consumer']!.message).toContain('ECONNREFUSED');
    expect(byName['gpt-api']).toMatchObject({
      state: 'down',
      message: 'not ready (503)',
      dependencies: [{ name: 'ollama', state: 'down', message: 'fetch failed' }],
    });
    expect(byName['kafka-producer']!.state).toBe('up');
  });
});

describe('StatusModule', () => {
  @Injectable()
  class UpCheck implements ReadinessCheck {
    readonly name = 'postgres';
    check = () => Promise.resolve();
  }
  @Injectable()
  class DownCheck implements ReadinessCheck {
    readonly name = 'added-later';
    check = () => Promise.reject(new Error('not there'));
  }
  @Module({ providers: [UpCheck, DownCheck], exports: [UpCheck, DownCheck] })
  class ChecksModule {}
  @Global()
  @Module({ providers: [{ provide: STATUS_FETCH, useValue: () => Promise.resolve(ready({})) }], exports: [STATUS_FETCH] })
  class NoRemotesModule {}

  it("reports the gateway's dependencies as the health module lists them", async () => {
    const app = await NestFactory.createApplicationContext(
      {
        module: class TestAppModule {},
        imports: [ConfigModule.forRoot(GATEWAY_CONFIG, config), NoRemotesModule, HealthModule.forRoot({ imports: [ChecksModule], checks: [UpCheck, DownCheck] }), StatusModule],
      },
      { logger: false },
    );
    try {
      const gateway = (await app.get(StatusService).status()).services[0]!;
      expect(gateway).toEqual({
        name: 'gateway',
        state: 'down',
        dependencies: [
          { name: 'postgres', state: 'up' },
          { name: 'added-later', state: 'down', message: 'not there' },
        ],
      });
    } finally {
      await app.close();
    }
  });
});
