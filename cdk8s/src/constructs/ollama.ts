import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { MODELS_READY_CONDITION } from '@shoshizan/shared-interfaces';
import { PORTS, type Release } from './context';
import { containerSecurity, statefulWorkload } from './stateful';

export interface OllamaProps {
  readonly release: Release;
}

/**
 * Ollama as a StatefulSet: a volume per pod for models, GPU limits, node selector,
 * tolerations and runtime class when `ollama.gpu.enabled` (off: the CPU profile for kind).
 *
 * Models: the model operator (model-operator.ts) pulls each OllamaModel of the namespace
 * (`ollama.models`, ollama-models.ts) into every pod it finds behind the headless Service,
 * and sets the pod's readiness gate MODELS_READY_CONDITION once the pod holds every
 * available model, so gpt-api never gets a pod that would answer "model not found". The
 * readiness probe itself only checks that Ollama answers; the gate is there only when the
 * operator runs (`modelOperator.enabled`). Where no model registry can be reached,
 * `ollama.seedModelsFrom` names a models store inside the image that an init container copies
 * into the volume first. The headless Service names the pods (also not-ready ones, which is
 * how the operator finds a new pod to fill); a ClusterIP Service spreads gpt-api's calls over
 * the ready ones.
 */
export class Ollama extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, { release }: OllamaProps) {
    super(scope, id);
    const { s, v } = release;
    const name = (this.name = release.name('ollama'));
    const labels = release.labels('ollama');
    const selector = release.selectorLabels('ollama');
    const gpu = v.ollama.gpu.enabled;
    const env = [
      { name: 'OLLAMA_HOST', value: `0.0.0.0:${PORTS.ollama}` },
      { name: 'OLLAMA_MODELS', value: '/models' },
      { name: 'OLLAMA_NUM_PARALLEL', value: s.format`${v.ollama.numParallel}` },
      { name: 'OLLAMA_KEEP_ALIVE', value: s.text(v.ollama.keepAlive) },
      { name: 'HOME', value: '/tmp' },
    ];
    const mounts = [
      { name: 'models', mountPath: '/models' },
      { name: 'tmp', mountPath: '/tmp' },
    ];
    const http = kplus.k8s.IntOrString.fromString('http');

    new kplus.k8s.KubeService(this, 'headless', {
      metadata: { name: s.format`${name}-headless`, labels },
      spec: { clusterIp: 'None', publishNotReadyAddresses: true, selector, ports: [{ name: 'http', port: PORTS.ollama, targetPort: kplus.k8s.IntOrString.fromNumber(PORTS.ollama) }] },
    });
    new kplus.k8s.KubeService(this, 'service', {
      metadata: { name, labels },
      spec: { selector, ports: [{ name: 'http', port: PORTS.ollama, targetPort: kplus.k8s.IntOrString.fromNumber(PORTS.ollama) }] },
    });
    const sts = statefulWorkload(this, 'statefulset', {
      release,
      component: 'ollama',
      user: 1000,
      replicas: s.int(v.ollama.replicas),
      serviceName: s.format`${name}-headless`,
      podManagementPolicy: 'Parallel',
      claim: { name: 'models', size: s.text(v.ollama.storage.size) },
      containers: [
        {
          name: 'ollama',
          image: s.text(v.ollama.image),
          args: ['serve'],
          env,
          ports: [{ name: 'http', containerPort: PORTS.ollama }],
          volumeMounts: mounts,
          securityContext: containerSecurity(1000),
          startupProbe: { httpGet: { path: '/', port: http }, periodSeconds: 2, failureThreshold: 60 },
          // Liveness asks the API's version rather than `/`: a probe identical to readiness's
          // would restart a pod for what only takes it out of the Service (kube-score's rule).
          livenessProbe: { httpGet: { path: '/api/version', port: http }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
          // Ollama answers; whether it holds the models is the readiness gate's (below).
          readinessProbe: { httpGet: { path: '/', port: http }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 2 },
        },
      ],
      volumes: [{ name: 'tmp', emptyDir: { sizeLimit: kplus.k8s.Quantity.fromString('1Gi') } }],
    });
    const spec = '/spec/template/spec';
    // Models baked into the image (an OLLAMA_MODELS store: manifests and blobs) copied into
    // the volume before Ollama starts. Blobs are named by their digest; a manifest from the
    // image replaces one of the same name, so the image decides what its models are.
    const seedModels = {
      name: 'seed-models',
      image: v.ollama.image,
      command: ['/bin/sh', '-c', 'cp -R "$SEED_MODELS_FROM"/. /models/ && echo "models copied from $SEED_MODELS_FROM"'],
      env: [{ name: 'SEED_MODELS_FROM', value: s.text(v.ollama.seedModelsFrom) }],
      imagePullPolicy: v.global.imagePullPolicy,
      volumeMounts: [{ name: 'models', mountPath: '/models' }],
      securityContext: containerSecurity(1000),
      resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
    };
    s.setOptional(sts, `${spec}/initContainers`, s.choose(s.equals(v.ollama.seedModelsFrom, ''), [], [seedModels]));
    // Ready only once the model operator says the pod holds every available model.
    s.setOptional(sts, `${spec}/readinessGates`, s.choose(release.modelOperator, [{ conditionType: MODELS_READY_CONDITION }], []));
    s.setOptional(sts, '/spec/volumeClaimTemplates/0/spec/storageClassName', v.ollama.storage.storageClassName);
    // The GPU: a limit of nvidia.com/gpu on top of the resources, and the GPU nodes' placement.
    const gpuLimit = s.overlay(v.ollama.resources, { limits: { 'nvidia.com/gpu': v.ollama.gpu.count } });
    s.set(sts, `${spec}/containers/0/resources`, s.choose(gpu, gpuLimit, v.ollama.resources));
    s.setOptional(sts, `${spec}/nodeSelector`, s.choose(gpu, v.ollama.gpu.nodeSelector, null));
    s.setOptional(sts, `${spec}/tolerations`, s.choose(gpu, v.ollama.gpu.tolerations, null));
    s.setOptional(sts, `${spec}/runtimeClassName`, s.choose(gpu, v.ollama.gpu.runtimeClassName, ''));
  }
}
