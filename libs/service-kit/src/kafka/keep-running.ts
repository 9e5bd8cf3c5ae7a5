import type { Consumer, ConsumerRunConfig } from 'kafkajs';
import type pino from 'pino';

/**
 * Runs a kafkajs consumer and runs it again whenever it crashes for good. kafkajs restarts
 * a consumer after most errors, but gives up on some that a broker restart causes ("Failed
 * to find group coordinator" is thrown as non-retriable), which would leave the service
 * up and healthy-looking while it reads nothing. Subscriptions survive a crash, so a new
 * connect and run resume from the group's committed offsets.
 *
 * Call it instead of `consumer.run(config)`, after subscribing; `stopping` ends the
 * supervision (abort it before disconnecting at shutdown).
 */
export async function keepRunning(
  consumer: Consumer,
  config: ConsumerRunConfig,
  options: {
    readonly name: string;
    readonly logger: pino.Logger;
    readonly stopping: AbortSignal;
    /**
     * Runs after each restart: a consumer that keeps its own positions (not the group's
     * committed offsets) seeks to them here, or it reads on from what the group committed,
     * or from the end where it committed nothing, skipping what was written while it was down.
     */
    readonly afterRestart?: () => Promise<void>;
  },
): Promise<void> {
  const { name, logger, stopping, afterRestart } = options;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  stopping.addEventListener('abort', () => clearTimeout(timer), { once: true });

  const restart = async (): Promise<void> => {
    if (stopping.aborted) return;
    try {
      await consumer.connect();
      await consumer.run(config);
      await afterRestart?.();
      attempt = 0;
      logger.info({ consumer: name }, 'Restarted a consumer that had stopped after a crash');
    } catch (error) {
      schedule(error);
    }
  };
  const schedule = (error: unknown): void => {
    if (stopping.aborted) return;
    const delayMs = Math.min(30_000, 1000 * 2 ** attempt++);
    logger.error({ consumer: name, err: error, delayMs }, 'A consumer stopped after a crash; starting it again');
    timer = setTimeout(() => void restart(), delayMs);
  };

  consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart) schedule(event.payload.error);
  });
  await consumer.run(config);
}
