import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { ChatRequestsRepository } from './chat-requests.repository';

const EVERY_MS = 60 * 60 * 1000;

/**
 * Keeps the stored response events from growing without end: those of requests finished
 * more than RESPONSE_EVENTS_RETENTION_DAYS ago go, at start-up and then hourly. (Every
 * replica does it; the delete is idempotent.)
 */
@Injectable()
export class EventRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repository: ChatRequestsRepository,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(EventRetentionService.name);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.prune();
    this.timer = setInterval(() => void this.prune(), EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async prune(): Promise<void> {
    try {
      const deleted = await this.repository.pruneEvents(this.config.RESPONSE_EVENTS_RETENTION_DAYS);
      if (deleted > 0) this.logger.info({ deleted }, 'Pruned stored response events');
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not prune stored response events');
    }
  }
}
