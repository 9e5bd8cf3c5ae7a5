import { OLLAMA_MODEL_FINALIZER } from '@shoshizan/shared-interfaces';
import type { Logger } from 'pino';
import type { Kube } from '../kube/kube';
import { statusCodeOf } from '../kube/status-code';

/** How long the operator gets to remove the models from the replicas. */
const WAIT_MS = 150_000;

/**
 * Deletes the OllamaModels `selector` picks and waits until they are gone, i.e. until the
 * operator has removed each from every replica and released its finalizer. The chart runs
 * it before an uninstall deletes the operator and its RBAC, which would leave the
 * finalizers for ever. Models still there after WAIT_MS lose the finalizer here (their
 * files stay on the volumes, which uninstall keeps anyway). Returns the exit code.
 */
export async function removeModels(kube: Kube, selector: string, logger: Logger): Promise<number> {
  if (!selector) {
    logger.error('MODEL_SELECTOR is required (e.g. app.kubernetes.io/instance=<release>)');
    return 2;
  }
  const models = await kube.listModels(selector);
  logger.info({ models: models.map((m) => m.metadata.name), selector }, 'deleting the release\'s models');
  for (const model of models) {
    try {
      await kube.deleteModel(model.metadata.name);
    } catch (error) {
      if (statusCodeOf(error) !== 404) throw error;
    }
  }
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const left = await kube.listModels(selector);
    if (left.length === 0) {
      logger.info('every model is removed');
      return 0;
    }
    if (Date.now() > deadline) {
      for (const model of left) {
        const finalizers = (model.metadata.finalizers ?? []).filter((f) => f !== OLLAMA_MODEL_FINALIZER);
        await kube.setModelFinalizers(model.metadata.name, finalizers, model.metadata.resourceVersion!).catch(() => undefined);
      }
      logger.warn({ models: left.map((m) => m.metadata.name) }, 'the operator did not remove these in time; released their finalizers');
      return 0;
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}
