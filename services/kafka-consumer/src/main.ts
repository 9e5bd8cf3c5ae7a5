import { bootstrapService, runService } from '@shoshizan/service-kit';
import { AppModule } from './app.module';
import { loadKafkaConsumerConfig } from './config/kafka-consumer.config';

runService(async () => {
  const config = loadKafkaConsumerConfig();
  await bootstrapService({ service: 'kafka-consumer', module: AppModule.forRoot(config), host: config.HOST, port: config.PORT, metricsPort: config.METRICS_PORT });
});
