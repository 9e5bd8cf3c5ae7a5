import type { SASLOptions } from 'kafkajs';
import { z } from '@shoshizan/shared-interfaces';
import { ConfigValidationError, env } from '../config/load-config';

/**
 * Kafka TLS and SASL settings, the same for every service that talks to Kafka (the Helm
 * chart sets them from `kafka.tls` and `kafka.sasl`; credentials come from a Secret).
 */
export const kafkaSecurityEnv = {
  /** Connect over TLS (the system's CA bundle). */
  KAFKA_SSL: env.bool(false),
  /** SASL mechanism; unset: no SASL. */
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
};

export interface KafkaSecurityConfig {
  readonly KAFKA_SSL: boolean;
  readonly KAFKA_SASL_MECHANISM?: 'plain' | 'scram-sha-256' | 'scram-sha-512' | undefined;
  readonly KAFKA_SASL_USERNAME?: string | undefined;
  readonly KAFKA_SASL_PASSWORD?: string | undefined;
}

/** The kafkajs `ssl`/`sasl` options; a mechanism without credentials stops the boot, naming them. */
export function kafkaSecurity(service: string, config: KafkaSecurityConfig): { ssl: boolean; sasl?: SASLOptions } {
  const mechanism = config.KAFKA_SASL_MECHANISM;
  if (!mechanism) return { ssl: config.KAFKA_SSL };
  const missing = (['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const).filter((name) => config[name] === undefined);
  if (missing.length > 0) {
    throw new ConfigValidationError(service, missing.map((variable) => ({ variable, message: `is required with KAFKA_SASL_MECHANISM=${mechanism}` })));
  }
  return { ssl: config.KAFKA_SSL, sasl: { mechanism, username: config.KAFKA_SASL_USERNAME ?? '', password: config.KAFKA_SASL_PASSWORD ?? '' } };
}
