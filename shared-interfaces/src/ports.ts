import ports from './ports.json';

/** Where one of Shoshizan's processes listens: the defaults of its PORT and METRICS_PORT. */
export interface ListenPorts {
  /** Its API (the UI: its pages and /config.json). */
  readonly port: number;
  /** GET /metrics, apart from the API so that only Prometheus is let in there. */
  readonly metricsPort: number;
}

/**
 * The ports each part listens on, the one place they are written: the services' config
 * defaults, the manifests (cdk8s PORTS and METRICS_PORTS) and local mode's scripts/env.sh
 * all read them. They live in ports.json because scripts/env.sh reads them with plain
 * `node` before any package is installed or built. Local mode runs every part on one
 * host, so no two may be the same. The model operator has no API, only its metrics port
 * (which also answers GET /healthz); the UI's server has no metrics and keeps its own
 * default (ui/server/serve.mjs imports nothing but Node's modules, so its image needs no
 * workspace), which test/unit/dockerfiles.spec.ts holds to this one.
 */
export const SERVICE_PORTS: {
  readonly gateway: ListenPorts;
  readonly kafkaProducer: ListenPorts;
  readonly kafkaConsumer: ListenPorts;
  readonly gptApi: ListenPorts;
  readonly modelOperator: Pick<ListenPorts, 'metricsPort'>;
  readonly ui: Pick<ListenPorts, 'port'>;
} = ports;
