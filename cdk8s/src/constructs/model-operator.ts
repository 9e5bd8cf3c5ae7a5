import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { OLLAMA_MODEL } from '@shoshizan/shared-interfaces';
import { METRICS_PORTS, fieldEnv, type EnvVar, type Release } from './context';
import { ServiceMonitor } from './monitoring';
import { hardenPod } from './shoshizan-service';

export interface ModelOperatorProps {
  readonly release: Release;
}

/**
 * The model operator (services/model-operator), when `modelOperator.enabled`: it keeps every
 * Ollama replica holding every OllamaModel of its namespace (ollama-models.ts), and sets each
 * Ollama pod's readiness gate once the pod holds every available model (ollama.ts).
 *
 * - Deployment: `modelOperator.replicas` (default 2), one leading through a Lease
 *   (LEASE_NAME, LEASE_DURATION_SECONDS), the others standing by; settings in a ConfigMap
 *   (a change rolls the pods), the namespace and the pod's name from the downward API. It
 *   finds the replicas in the EndpointSlices of the Ollama headless Service (OLLAMA_SERVICE).
 *   No API of its own: its metrics port (METRICS_PORTS.modelOperator) serves GET /metrics and
 *   GET /healthz (liveness; readiness asks /metrics, what its Service is for, as kube-score
 *   refuses two identical probes).
 * - Its own ServiceAccount, with its token mounted, and RBAC for what it touches (its calls
 *   are all in services/model-operator/src/kube/kube.ts): OllamaModels (and their status and
 *   finalizers), EndpointSlices, Ollama pods and their status (the readiness gate), Events,
 *   and its Lease (get and update of that one Lease; create cannot be limited to a name): a
 *   Role in the release's namespace, the one it manages (one operator per release).
 * - A Service for its metrics and a ServiceMonitor; a PodDisruptionBudget of maxUnavailable 1
 *   (with 2 replicas a drain takes one at a time and the other leads; with 1 a drain is not
 *   blocked, where minAvailable 1 would block it for good).
 * - Chart only: a pre-delete hook Job, the same image and settings with `remove-models`,
 *   which deletes this release's OllamaModels and waits until the operator has removed them
 *   from the replicas, before Helm deletes the operator and its RBAC (after that nobody
 *   would clear their finalizers).
 * Its NetworkPolicy is in network-policies.ts.
 */
export class ModelOperator extends Construct {
  constructor(scope: Construct, id: string, { release }: ModelOperatorProps) {
    super(scope, id);
    release.s.when(release.modelOperator, this, 'enabled', (inner) => build(inner, release));
  }
}

const COMPONENT = 'model-operator';
const PORT = METRICS_PORTS.modelOperator;
const LEASES = 'coordination.k8s.io';

function build(scope: Construct, release: Release): void {
  const { s, v } = release;
  const name = release.name(COMPONENT);
  const labels = release.labels(COMPONENT);
  const selector = release.selectorLabels(COMPONENT);
  const image = release.image(COMPONENT, v.modelOperator.image);
  const rbac = 'rbac.authorization.k8s.io';

  // ---- settings -------------------------------------------------------------------------------
  const data = {
    METRICS_PORT: String(PORT),
    HOST: '0.0.0.0',
    LOG_LEVEL: s.text(v.global.logLevel),
    OLLAMA_SERVICE: s.format`${release.name('ollama')}-headless`,
    OLLAMA_PORT_NAME: 'http',
    LEASE_NAME: name,
    LEASE_DURATION_SECONDS: s.format`${v.modelOperator.leaseDurationSeconds}`,
  };
  new ApiObject(scope, 'config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data });
  const own = [fieldEnv('POD_NAME', 'metadata.name'), fieldEnv('POD_NAMESPACE', 'metadata.namespace')];
  const env: EnvVar[] = [fieldEnv('WATCH_NAMESPACE', 'metadata.namespace'), ...own];

  // ---- RBAC ---------------------------------------------------------------------------------
  new ApiObject(scope, 'service-account', {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, labels },
    automountServiceAccountToken: true,
  });
  const models = OLLAMA_MODEL.plural;
  const watched = [
    { apiGroups: [OLLAMA_MODEL.group], resources: [models], verbs: ['get', 'list', 'watch', 'update', 'patch', 'delete'] },
    { apiGroups: [OLLAMA_MODEL.group], resources: [`${models}/status`], verbs: ['get', 'update', 'patch'] },
    { apiGroups: [OLLAMA_MODEL.group], resources: [`${models}/finalizers`], verbs: ['update'] },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
    // The readiness gate's condition: read back (get) and set (patch).
    { apiGroups: [''], resources: ['pods/status'], verbs: ['get', 'patch', 'update'] },
    { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
  ];
  const lease = [
    { apiGroups: [LEASES], resources: ['leases'], verbs: ['create'] },
    { apiGroups: [LEASES], resources: ['leases'], resourceNames: [name], verbs: ['get', 'update'] },
  ];
  new ApiObject(scope, 'role', { apiVersion: `${rbac}/v1`, kind: 'Role', metadata: { name, labels }, rules: [...lease, ...watched] });
  const subjects = [{ kind: 'ServiceAccount', name, namespace: s.namespace }];
  new ApiObject(scope, 'role-binding', {
    apiVersion: `${rbac}/v1`,
    kind: 'RoleBinding',
    metadata: { name, labels },
    roleRef: { apiGroup: rbac, kind: 'Role', name },
    subjects,
  });
  // ---- the operator -------------------------------------------------------------------------
  const port = 'metrics';
  const deployment = new ApiObject(scope, 'deployment', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas: 1, // set below from the settings
      selector: { matchLabels: selector },
      template: {
        metadata: { labels, annotations: { 'checksum/config': s.checksum(data) } },
        spec: {
          serviceAccountName: name,
          automountServiceAccountToken: true,
          terminationGracePeriodSeconds: 30,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 },
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } },
            { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } },
          ],
          containers: [
            {
              name: COMPONENT,
              image,
              ports: [{ name: 'metrics', containerPort: PORT }],
              envFrom: [{ configMapRef: { name } }],
              securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
              startupProbe: { httpGet: { path: '/healthz', port }, periodSeconds: 2, failureThreshold: 30, timeoutSeconds: 2 },
              livenessProbe: { httpGet: { path: '/healthz', port }, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 3 },
              readinessProbe: { httpGet: { path: '/metrics', port }, periodSeconds: 10, failureThreshold: 2, timeoutSeconds: 3 },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
        },
      },
    },
  });
  hardenPod(deployment, release);
  const container = '/spec/template/spec/containers/0';
  s.set(deployment, '/spec/replicas', v.modelOperator.replicas);
  s.set(deployment, `${container}/env`, env);
  s.set(deployment, `${container}/imagePullPolicy`, v.global.imagePullPolicy);
  s.set(deployment, `${container}/resources`, v.modelOperator.resources);

  new ApiObject(scope, 'service', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels },
    spec: { selector, ports: [{ name: 'metrics', port: PORT, targetPort: PORT }] },
  });
  new ServiceMonitor(scope, 'monitor', { release, component: COMPONENT, name });
  new ApiObject(scope, 'pdb', {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, labels },
    spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
  });

  // A plain synth has no hooks: without Helm, delete the OllamaModels before the operator.
  if (s.mode === 'helm') removeModelsJob(scope, release, { serviceAccount: name, configMap: name, image });
}

/**
 * `helm uninstall` deletes the release's objects all at once: the operator and its RBAC
 * would go while the OllamaModels still wait for it to clear their finalizers (it removes a
 * deleted model from every replica first). This Job runs before that (pre-delete hook):
 * `remove-models` deletes the OllamaModels of this release (MODEL_SELECTOR) in the release's
 * namespace (another namespace's release of the same name has
 * the same instance label) and waits until they are gone, with the operator's ServiceAccount,
 * which still exists then. The command gives the operator 150 s, then releases the
 * finalizers itself (services/model-operator/src/commands/remove-models.ts); activeDeadlineSeconds
 * (180) leaves it the time for that. A failed Job fails the uninstall and is kept for its logs.
 */
function removeModelsJob(scope: Construct, release: Release, refs: { serviceAccount: string; configMap: string; image: string }): void {
  const { s, v } = release;
  const component = 'remove-models';
  const labels = release.labels(component);
  const job = new ApiObject(scope, 'remove-models', {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: release.name(component),
      labels,
      annotations: { 'helm.sh/hook': 'pre-delete', 'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded' },
    },
    spec: {
      backoffLimit: 2,
      activeDeadlineSeconds: 180,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: refs.serviceAccount,
          automountServiceAccountToken: true,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: component,
              image: refs.image,
              command: ['node', 'services/model-operator/dist/main.js', 'remove-models'],
              envFrom: [{ configMapRef: { name: refs.configMap } }],
              env: [
                fieldEnv('WATCH_NAMESPACE', 'metadata.namespace'),
                fieldEnv('POD_NAME', 'metadata.name'),
                fieldEnv('POD_NAMESPACE', 'metadata.namespace'),
                { name: 'MODEL_SELECTOR', value: s.format`app.kubernetes.io/instance=${s.releaseName}` },
              ],
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
        },
      },
    },
  });
  s.set(job, '/spec/template/spec/containers/0/imagePullPolicy', v.global.imagePullPolicy);
  s.setOptional(job, '/spec/template/spec/imagePullSecrets', v.global.imagePullSecrets);
}
