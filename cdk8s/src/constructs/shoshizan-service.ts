import { ApiObject, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { Operand } from '../settings/expression';
import type { Condition } from '../settings/registry';
import { ServiceMonitor } from './monitoring';
import { patch, type EnvVar, type Release } from './context';


export interface ShoshizanServiceProps {
  readonly release: Release;
  /** Component name: the image name, the label and the name suffix. */
  readonly component: string;
  /** Port the service listens on (its PORT); the Service exposes it as `http`. */
  readonly port: number;
  /**
   * Port of its GET /metrics (its METRICS_PORT): the container and the Service expose it as
   * `metrics`, and a ServiceMonitor scrapes it there. @default none (no metrics, no monitor)
   */
  readonly metricsPort?: number;
  /**
   * Whether it runs service-kit's bootstrap, which traces and drains: it then gets `tracing.*`
   * as OpenTelemetry's variables and `global.shutdownDelaySeconds`. @default true
   */
  readonly traced?: boolean;
  /** Settings of the service, as its environment variables; empty values are left unset. */
  readonly config: Readonly<Record<string, string>>;
  /**
   * Variables beside the ConfigMap, in order (later ones may use earlier ones as $(NAME)):
   * secrets, and values built from them. A list, or one from `Settings.concat`/`choose`.
   */
  readonly env?: readonly EnvVar[];
  readonly image: string;
  readonly replicas: Operand<number>;
  readonly resources: unknown;
  /** CPU autoscaling; omit for a service scaled another way (KEDA). */
  readonly autoscaling?: {
    readonly enabled: Condition;
    readonly minReplicas: Operand<number>;
    readonly maxReplicas: Operand<number>;
    readonly targetCPUUtilizationPercentage: Operand<number>;
  };
  /** Health routes. @default live /health/live, ready /health/ready */
  readonly health?: { readonly live: string; readonly ready: string };
  /** Command, when the image's own is not the one. @default the image's */
  readonly command?: string[];
  /** Seconds a pod gets to finish after SIGTERM. @default 30 */
  readonly terminationGracePeriodSeconds?: number;
  /**
   * When this holds, the pods mount their ServiceAccount's token, to call the Kubernetes API
   * (the construct that sets it adds the Role the calls need). @default never: no token
   */
  readonly kubernetesApi?: Condition;
}

/**
 * One Shoshizan HTTP service: Deployment, Service, ServiceAccount, ConfigMap, probes on the
 * health routes, hardened security context, PodDisruptionBudget, topology spread, CPU
 * autoscaling and a ServiceMonitor on its metrics port. The pod template carries a checksum of the ConfigMap,
 * so a change of settings rolls the pods. The ServiceAccount's token is mounted only under
 * `kubernetesApi` (gpt-api with the model operator).
 */
export class ShoshizanService extends Construct {
  readonly deployment: kplus.Deployment;
  readonly service: kplus.Service;
  readonly name: string;
  private autoscaledWhen: Condition | undefined;

  constructor(scope: Construct, id: string, props: ShoshizanServiceProps) {
    super(scope, id);
    const { release, component, port, metricsPort } = props;
    const { s, v } = release;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${component}: port must be 1-65535, got ${port}`);
    if (metricsPort !== undefined) {
      if (!Number.isInteger(metricsPort) || metricsPort < 1 || metricsPort > 65535) throw new Error(`${component}: metricsPort must be 1-65535, got ${metricsPort}`);
      if (metricsPort === port) throw new Error(`${component}: metricsPort must differ from port (both ${port})`);
    }
    const name = (this.name = release.name(component));
    const labels = release.labels(component);
    const selector = release.selectorLabels(component);
    const health = props.health ?? { live: '/health/live', ready: '/health/ready' };

    const data = {
      PORT: String(port),
      ...(metricsPort !== undefined ? { METRICS_PORT: String(metricsPort) } : {}),
      HOST: '0.0.0.0',
      LOG_LEVEL: s.text(v.global.logLevel),
      // OpenTelemetry's own variables (service-kit's tracing reads them); an empty endpoint
      // counts as unset: no exporter.
      ...(props.traced ?? true
        ? {
            // service-kit's bootstrap drains this long after SIGTERM (libs/service-kit/src/shutdown/drain.ts).
            SHUTDOWN_DELAY_SECONDS: s.format`${v.global.shutdownDelaySeconds}`,
            OTEL_SERVICE_NAME: component,
            OTEL_EXPORTER_OTLP_ENDPOINT: s.text(v.tracing.otlpEndpoint),
            OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
            OTEL_TRACES_SAMPLER_ARG: s.text(v.tracing.samplingRatio),
          }
        : {}),
      ...props.config,
    };
    const configMap = new kplus.ConfigMap(this, 'config', { metadata: { name, labels }, data });

    const serviceAccount = new kplus.ServiceAccount(this, 'sa', {
      metadata: { name, labels },
      automountToken: false,
    });

    const deployment = (this.deployment = new kplus.Deployment(this, 'deployment', {
      metadata: { name, labels },
      select: false,
      spread: false,
      serviceAccount,
      automountServiceAccountToken: false,
      podMetadata: { labels, annotations: { 'checksum/config': s.checksum(data) } },
      terminationGracePeriod: Duration.seconds(props.terminationGracePeriodSeconds ?? 30),
      securityContext: { ensureNonRoot: true, user: 1000, group: 1000, fsGroup: 1000 },
      containers: [
        {
          name: component,
          image: props.image,
          ports: [{ number: port, name: 'http' }, ...(metricsPort !== undefined ? [{ number: metricsPort, name: 'metrics' }] : [])],
          ...(props.command ? { command: props.command } : {}),
          envFrom: [kplus.Env.fromConfigMap(configMap)],
          securityContext: { ensureNonRoot: true, user: 1000, group: 1000, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
          liveness: kplus.Probe.fromHttpGet(health.live, { port, periodSeconds: Duration.seconds(10), failureThreshold: 3, timeoutSeconds: Duration.seconds(3) }),
          readiness: kplus.Probe.fromHttpGet(health.ready, { port, periodSeconds: Duration.seconds(5), failureThreshold: 2, timeoutSeconds: Duration.seconds(3) }),
          startup: kplus.Probe.fromHttpGet(health.live, { port, periodSeconds: Duration.seconds(2), failureThreshold: 60, timeoutSeconds: Duration.seconds(2) }),
          volumeMounts: [{ path: '/tmp', volume: kplus.Volume.fromEmptyDir(this, 'tmp', 'tmp', { sizeLimit: Size.mebibytes(64) }) }],
        },
      ],
    }));
    deployment.select(kplus.LabelSelector.of({ labels: selector }));
    const obj = ApiObject.of(deployment);
    hardenPod(obj, release);
    const container = '/spec/template/spec/containers/0';
    s.set(obj, `${container}/imagePullPolicy`, v.global.imagePullPolicy);
    s.set(obj, `${container}/resources`, props.resources);
    if (props.env) s.setOptional(obj, `${container}/env`, props.env);
    if (props.kubernetesApi) s.set(obj, '/spec/template/spec/automountServiceAccountToken', s.bool(props.kubernetesApi));
    // cdk8s-plus writes no replicas (its IScalable hook): whether an autoscaler owns them is a
    // setting, so this construct writes them, once every autoscaler has said so (markHasAutoscaler).
    deployment.markHasAutoscaler();
    s.setOptionalAtSynth(obj, '/spec/replicas', () => (this.autoscaledWhen ? s.choose(this.autoscaledWhen, null, props.replicas) : props.replicas));
    patch(
      obj,
      '/spec/template/spec/topologySpreadConstraints',
      s.renderedNow([
        { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } },
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } },
      ]),
    );

    this.service = new kplus.Service(this, 'service', {
      metadata: { name, labels },
      ports: [{ name: 'http', port, targetPort: port }, ...(metricsPort !== undefined ? [{ name: 'metrics', port: metricsPort, targetPort: metricsPort }] : [])],
    });
    for (const [key, value] of Object.entries(selector)) this.service.selectLabel(key, value);

    new kplus.k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name, labels },
      spec: { maxUnavailable: kplus.k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
    });

    if (props.autoscaling) {
      const a = props.autoscaling;
      const enabled = a.enabled;
      s.when(enabled, this, 'autoscaling', (scope) => {
        this.markHasAutoscaler(enabled);
        new kplus.k8s.KubeHorizontalPodAutoscalerV2(scope, 'hpa', {
          metadata: { name, labels },
          spec: {
            scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
            minReplicas: s.int(a.minReplicas),
            maxReplicas: s.int(a.maxReplicas),
            metrics: [
              {
                type: 'Resource',
                resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: s.int(a.targetCPUUtilizationPercentage) } },
              },
            ],
          },
        });
      });
    }

    if (metricsPort !== undefined) new ServiceMonitor(this, 'monitor', { release, component, name });
  }

  /**
   * Called by the autoscaler that targets this service (its HorizontalPodAutoscaler, or a
   * KEDA ScaledObject), as cdk8s-plus's `IScalable.markHasAutoscaler()`: where `when` holds,
   * the Deployment leaves its replicas out, so an upgrade does not reset the count the
   * autoscaler chose. `when` is the setting that creates the autoscaler (a plain synth only
   * calls this where it holds).
   */
  markHasAutoscaler(when: Condition): void {
    if (this.autoscaledWhen) throw new Error(`${this.name}: a second autoscaler; one owns the replicas`);
    this.autoscaledWhen = when;
  }
}

/**
 * The pod-level hardening every workload of the chart gets: RuntimeDefault seccomp, no
 * capabilities, image pull secrets from the settings. (Whether the pod mounts a service
 * account token is each workload's own: none but gpt-api and the model operator do.)
 */
export function hardenPod(obj: ApiObject, release: Release, options: { readonly containers?: number } = {}): void {
  const { s, v } = release;
  patch(obj, '/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' });
  for (let i = 0; i < (options.containers ?? 1); i++) {
    patch(obj, `/spec/template/spec/containers/${i}/securityContext/capabilities`, { drop: ['ALL'] });
    patch(obj, `/spec/template/spec/containers/${i}/securityContext/seccompProfile`, { type: 'RuntimeDefault' });
  }
  s.setOptional(obj, '/spec/template/spec/imagePullSecrets', v.global.imagePullSecrets);
}
