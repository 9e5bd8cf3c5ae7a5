import { bootstrapService, runService } from '@shoshizan/service-kit';
import { AppModule } from './app.module';
import { loadKafkaProducerConfig } from './config/kafka-producer.config';

runService(async () => {
  const config = loadKafkaProducerConfig();
  await bootstrapService({ service: 'kafka-producer', module: AppModule.forRoot(config), host: config.HOST, port: config.PORT, metricsPort: config.METRICS_PORT });
});
