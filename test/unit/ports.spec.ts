import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigValidationError } from '@shoshizan/service-kit';
import { METRICS_PORTS, PORTS } from '../../cdk8s/src/constructs/context';
import { loadGatewayConfig } from '../../services/gateway/src/config/gateway.config';
import { loadGptApiConfig } from '../../services/gpt-api/src/config/gpt-api.config';
import { loadKafkaConsumerConfig } from '../../services/kafka-consumer/src/config/kafka-consumer.config';
import { loadKafkaProducerConfig } from '../../services/kafka-producer/src/config/kafka-producer.config';
import { localModePorts } from './support/local-mode-env';

/**
 * Each service's API port and metrics port are written once, in shared-interfaces'
 * SERVICE_PORTS, and read in three places that must agree: its config defaults, local
 * mode's scripts/env.sh and the manifests' PORTS/METRICS_PORTS. Local mode runs all four on
 * one host, so no two may be the same.
 */
const ROOT = resolve(__dirname, '../..');
const required = {
  JWT_SECRET: 'x'.repeat(32),
  KAFKA_BROKERS: '127.0.0.1:19092',
  DATABASE_URL: 'postgres://u@127.0.0.1:5432/db',
};
const services = {
  gateway: { load: loadGatewayConfig, envPrefix: 'GATEWAY', manifests: 'gateway' },
  'kafka-producer': { load: loadKafkaProducerConfig, envPrefix: 'PRODUCER', manifests: 'kafkaProducer' },
  'kafka-consumer': { load: loadKafkaConsumerConfig, envPrefix: 'CONSUMER', manifests: 'kafkaConsumer' },
  'gpt-api': { load: loadGptApiConfig, envPrefix: 'GPT_API', manifests: 'gptApi' },
} as const;
type Service = keyof typeof services;
const names = Object.keys(services) as Service[];

/** The port defaults of a local-mode script: `export NAME="${NAME:-1234}"`. */
const portsOf = (script: string): Record<string, number> =>
  Object.fromEntries(
    [...readFileSync(resolve(ROOT, script), 'utf8').matchAll(/^export (\w+_PORT)="\$\{\1:-(\d+)\}"$/gm)].map(([, name, port]) => [name!, Number(port)]),
  );
const envSh = Object.fromEntries(Object.entries(localModePorts()).map(([name, port]) => [name, Number(port)]));

describe.each(names)('%s', (name) => {
  const { load, envPrefix, manifests } = services[name];
  const config = load(required);

  it('has the same API and metrics ports in its config, local mode and the manifests', () => {
    expect({ api: envSh[`${envPrefix}_PORT`], metrics: envSh[`${envPrefix}_METRICS_PORT`] }).toEqual({ api: config.PORT, metrics: config.METRICS_PORT });
    expect({ api: PORTS[manifests], metrics: METRICS_PORTS[manifests] }).toEqual({ api: config.PORT, metrics: config.METRICS_PORT });
  });

  it('refuses a METRICS_PORT equal to PORT, naming it, whichever of the two is set', () => {
    const problemsOf = (env: Record<string, string>) => {
      try {
        load({ ...required, ...env });
        return [];
      } catch (error) {
        if (!(error instanceof ConfigValidationError)) throw error;
        return error.problems.map((p) => `${p.variable}: ${p.message}`);
      }
    };
    const clash = `METRICS_PORT: must differ from PORT (both are ${config.METRICS_PORT})`;
    expect(problemsOf({ PORT: String(config.METRICS_PORT) })).toEqual([clash]);
    expect(problemsOf({ METRICS_PORT: String(config.PORT) })).toEqual([`METRICS_PORT: must differ from PORT (both are ${config.PORT})`]);
    expect(problemsOf({ METRICS_PORT: '9999' })).toEqual([]);
  });
});

it('gives every part of local mode ports of its own', () => {
  const local = { ...portsOf('scripts/lib.sh'), ...envSh }; // PostgreSQL, Kafka, Ollama; the services, the UI
  expect(Object.keys(local)).toEqual(expect.arrayContaining(['KAFKA_PORT', 'POSTGRES_PORT', 'OLLAMA_PORT', 'UI_PORT', 'GATEWAY_METRICS_PORT']));
  const byPort = new Map<number, string[]>();
  for (const [name, port] of Object.entries(local)) byPort.set(port, [...(byPort.get(port) ?? []), name]);
  expect([...byPort.values()].filter((shared) => shared.length > 1)).toEqual([]);
});
