import { env, loadConfig } from '@shoshizan/service-kit';
import { SERVICE_PORTS, z } from '@shoshizan/shared-interfaces';

/**
 * The model operator's environment. It talks to the API server with the pod's service
 * account (in a cluster) or $KUBECONFIG / ~/.kube/config (outside one, e.g. in tests).
 */
export const operatorConfigSchema = z.object({
  /** Where GET /metrics and GET /healthz are served. */
  METRICS_PORT: env.port(SERVICE_PORTS.modelOperator.metricsPort),
  HOST: env.host(),
  LOG_LEVEL: env.logLevel(),
  /** The namespace whose OllamaModels and Ollama replicas are managed (the chart passes the pod's own). */
  WATCH_NAMESPACE: z.string().min(1).max(63),
  /** The headless Service in front of the Ollama StatefulSet: its EndpointSlices name the replicas. */
  OLLAMA_SERVICE: z.string().min(1).max(63),
  /** The Service port that is Ollama's API (else the slice's only port). */
  OLLAMA_PORT_NAME: z.string().min(1).default('http'),
  /** Who this replica of the operator is in the Lease (the pod's name in a cluster). */
  POD_NAME: z.string().min(1).default(`model-operator-${process.pid}`),
  /** The Lease two operator replicas elect a leader through; only the leader reconciles. */
  LEASE_NAME: z.string().min(1).max(253).default('shoshizan-model-operator'),
  /** A leader that has not renewed for this long is replaced. */
  LEASE_DURATION_SECONDS: env.positiveInt(15),
  /** How often the leader renews (and a follower tries to take over). */
  LEASE_RENEW_SECONDS: env.positiveInt(5),
  /** Every model is reconciled again this often, also with no change seen (a replica that lost its volume). */
  RESYNC_SECONDS: env.positiveInt(30),
  /** Pull progress is written to a model's status at most this often. */
  STATUS_INTERVAL_MS: env.positiveInt(2_000),
  /**
   * A pull whose download moves no byte for this long fails (and is tried again with
   * backoff). Ollama itself gives up on a vanished registry after about a minute of retries.
   */
  PULL_STALL_SECONDS: env.positiveInt(90),
  /** A replica that did not answer within this long is failed for this attempt. */
  OLLAMA_TIMEOUT_MS: env.positiveInt(10_000),
}).refine((c) => c.LEASE_RENEW_SECONDS < c.LEASE_DURATION_SECONDS, {
  message: 'LEASE_RENEW_SECONDS must be less than LEASE_DURATION_SECONDS',
  path: ['LEASE_RENEW_SECONDS'],
});
export type OperatorConfig = z.output<typeof operatorConfigSchema>;

export function loadOperatorConfig(environment: NodeJS.ProcessEnv = process.env): OperatorConfig {
  return loadConfig('model-operator', operatorConfigSchema, environment);
}
