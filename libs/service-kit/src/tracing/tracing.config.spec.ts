import { ConfigValidationError } from '../config/load-config';
import { loadTracingConfig } from './tracing.config';

describe('loadTracingConfig', () => {
  it('exports nothing without an endpoint, and names spans after the service', () => {
    expect(loadTracingConfig('gateway', {})).toEqual({ serviceName: 'gateway', tracesUrl: undefined, samplingRatio: 1 });
    expect(loadTracingConfig('gateway', { OTEL_EXPORTER_OTLP_ENDPOINT: '' }).tracesUrl).toBeUndefined();
  });

  it('sends to <endpoint>/v1/traces, as OpenTelemetry defines the base endpoint', () => {
    expect(loadTracingConfig('gpt-api', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracesUrl).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(loadTracingConfig('gpt-api', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/otlp/' }).tracesUrl).toBe(
      'http://collector:4318/otlp/v1/traces',
    );
  });

  it('takes a traces endpoint as it is, over the base endpoint', () => {
    const config = loadTracingConfig('gpt-api', {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9999/in',
    });
    expect(config.tracesUrl).toBe('http://traces:9999/in');
  });

  it('reads the service name and the sampling ratio', () => {
    const config = loadTracingConfig('gateway', {
      OTEL_SERVICE_NAME: 'edge',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    expect(config).toMatchObject({ serviceName: 'edge', samplingRatio: 0.25 });
  });

  it.each([
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'grpc://collector:4317'],
    ['OTEL_TRACES_SAMPLER_ARG', '1.5'],
    ['OTEL_TRACES_SAMPLER_ARG', 'half'],
    ['OTEL_TRACES_SAMPLER', 'always_on'],
  ])('refuses %s=%s and names the variable', (variable, value) => {
    let error: unknown;
    try {
      loadTracingConfig('gateway', { [variable]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as ConfigValidationError).problems.map((p) => p.variable)).toEqual([variable]);
  });
});
