export * from './bootstrap';
export * from './config/load-config';
export * from './logging/logger';
export * from './metrics/metrics.module';
export * from './metrics/metrics.server';
export * from './health/health.module';
export * from './health/readiness';
export * from './shutdown/drain';
export * from './errors/domain.exception';
export * from './errors/problem-details.filter';
export * from './http/public.decorator';
export * from './http/zod-body.pipe';
export * from './http/http.readiness';
export * from './http/fetch-json';
export * from './http/retry-after';
export {
  NO_ANSWER_RETRY_AFTER_SECONDS,
  noAnswerException,
  problemToException,
  refusalToException,
  type NoAnswer,
  type ServiceAnswer,
} from './http/service-errors';
export * from './kafka/kafka-client';
export * from './kafka/kafka-security';
export * from './kafka/kafka.readiness';
export * from './postgres/postgres';
export * from './http/raw-stream';
export * from './config/config.module';
export * from './kafka/kafka.module';
export * from './kafka/kafka-publisher';
export * from './kafka/partition-reader';
export * from './kafka/headers';
export * from './kafka/keep-running';
export * from './kafka/quarantine';
export * from './kafka/consumer-progress';
export * from './kafka/record-failure';
export * from './postgres/database.module';
export * from './kafka/parallel/parallel-consumer';
export * from './kafka/parallel/key-ordered-queue';
export * from './kafka/parallel/partition-ledger';
export * from './tracing/tracing';
export * from './tracing/tracing.config';
export * from './tracing/span-attributes';
export * from './kafka/trace-headers';
