import { z } from '@shoshizan/shared-interfaces';
import { loadConfig } from '../config/load-config';

/**
 * What a service's tracing reads from the environment: OpenTelemetry's own variables, so
 * that the chart (tracing.* values) and any OpenTelemetry tooling set them the same way.
 */
const tracingEnvSchema = z.object({
  /** The collector's OTLP/HTTP base URL; spans go to `<it>/v1/traces`. Unset: nothing is exported. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  /** The full traces URL, used as it is; wins over OTEL_EXPORTER_OTLP_ENDPOINT. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  /** The service.name of every span. @default the service's own name */
  OTEL_SERVICE_NAME: z.string().min(1).max(200).optional(),
  /** The one sampler here, named as OpenTelemetry names it; OTEL_TRACES_SAMPLER_ARG is its ratio. */
  OTEL_TRACES_SAMPLER: z.literal('parentbased_traceidratio').optional(),
  /**
   * The share of new traces (those no caller sampled or refused) that are recorded, 0 to 1;
   * a caller's decision is followed (parent-based). @default 1
   */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
});

export interface TracingConfig {
  readonly serviceName: string;
  /** Where spans are sent with OTLP/HTTP; undefined: no exporter, spans are not recorded. */
  readonly tracesUrl: string | undefined;
  readonly samplingRatio: number;
}

/** The tracing settings of `service`; a bad variable throws a ConfigValidationError naming it. */
export function loadTracingConfig(service: string, env: NodeJS.ProcessEnv = process.env): TracingConfig {
  const vars = loadConfig(service, tracingEnvSchema, env);
  const base = vars.OTEL_EXPORTER_OTLP_ENDPOINT;
  return {
    serviceName: vars.OTEL_SERVICE_NAME ?? service,
    tracesUrl: vars.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined),
    samplingRatio: vars.OTEL_TRACES_SAMPLER_ARG,
  };
}
