import { bootstrapService, runService } from '@shoshizan/service-kit';
import { AppModule } from './app.module';
import { loadGptApiConfig } from './config/gpt-api.config';

runService(async () => {
  const config = loadGptApiConfig();
  await bootstrapService({ service: 'gpt-api', module: AppModule.forRoot(config), host: config.HOST, port: config.PORT, metricsPort: config.METRICS_PORT });
});
