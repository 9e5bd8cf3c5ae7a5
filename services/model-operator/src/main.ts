import { startMetricsServer } from '@shoshizan/service-kit';
import { KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import { loadOperatorConfig } from './config/operator.config';
import { Kube } from './kube/kube';
import { LeaderElector } from './leader/lease';
import { OperatorMetrics } from './metrics/operator.metrics';
import { ModelController } from './reconcile/model-controller';
import { removeModels } from './commands/remove-models';
import { replaceCrd } from './commands/replace-crd';

/**
 * The model operator. `node dist/main.js` runs it: it serves /metrics and /healthz, and
 * reconciles OllamaModels while it holds the Lease (a second replica waits to take over).
 * Two commands serve the chart's hooks:
 * - `remove-models` deletes the release's OllamaModels (MODEL_SELECTOR) and waits until the
 *   operator has removed them from every replica (pre-delete);
 * - `replace-crd` puts the CRD in CRD_FILE in place of the live one (pre-install/upgrade).
 */
async function main(): Promise<void> {
  const command = process.argv[2];
  const logger = pino({
    level: process.env.LOG_LEVEL || 'info',
    base: { service: 'model-operator', ...(command ? { command } : {}) },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
  if (command === 'replace-crd') {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromDefault();
    process.exitCode = await replaceCrd(kubeConfig, process.env.CRD_FILE ?? '/crd/crd.json', logger);
    return;
  }
  if (command !== undefined && command !== 'remove-models') throw new Error(`unknown command ${command}; known: remove-models, replace-crd`);
  const config = loadOperatorConfig();
  logger.level = config.LOG_LEVEL;
  const kube = Kube.fromDefault(config.WATCH_NAMESPACE);
  if (command === 'remove-models') {
    process.exitCode = await removeModels(kube, process.env.MODEL_SELECTOR ?? '', logger);
    return;
  }
  const metrics = new OperatorMetrics();
  const controller = new ModelController(kube, config, logger, metrics);
  let shuttingDown = false;
  const elector = new LeaderElector({
    kube,
    name: config.LEASE_NAME,
    identity: config.POD_NAME,
    durationSeconds: config.LEASE_DURATION_SECONDS,
    renewSeconds: config.LEASE_RENEW_SECONDS,
    logger,
    onLead: () => {
      metrics.leader.set(1);
      controller.start().catch((error: unknown) => {
        logger.fatal({ err: error }, 'the watches could not start');
        process.exit(1);
      });
    },
    // Another replica may be acting already: stop at once; the pod restarts as a follower.
    onLoss: () => process.exit(1),
  });
  const started = Date.now();
  const server = await startMetricsServer(metrics.registry, {
    host: config.HOST,
    port: config.METRICS_PORT,
    // Alive while following, and while leading once the watches have listed.
    healthy: () => !elector.isLeader || controller.isSynced || Date.now() - started < 120_000,
  });
  logger.info({ namespace: config.WATCH_NAMESPACE, ollamaService: config.OLLAMA_SERVICE, metricsPort: server.port, identity: config.POD_NAME }, 'model operator started');
  elector.start();
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'stopping');
    await controller.stop();
    await elector.stop();
    metrics.leader.set(0);
    await server.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
