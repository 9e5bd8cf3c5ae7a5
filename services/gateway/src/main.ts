import { bootstrapService, runService } from '@shoshizan/service-kit';
import { AppModule } from './app.module';
import { loadGatewayConfig } from './config/gateway.config';
import { setUpSwagger } from './docs/swagger';
import { GatewayErrorFilter } from './http/gateway-error.filter';
import { acceptJsonOnly } from './http/json-only';
import { answerWrongMethodsWith405 } from './http/method-not-allowed';
import { proxyTrust } from './http/proxy-trust';
import { addSecurityHeaders } from './http/security-headers';

runService(async () => {
  const config = loadGatewayConfig();
  await bootstrapService({
    service: 'gateway',
    module: AppModule.forRoot(config),
    host: config.HOST,
    port: config.PORT,
    metricsPort: config.METRICS_PORT,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    // Login throttling counts failures per client address: only the proxies that are really
    // there may name it, or a client could pick a fresh address for every guess.
    trustProxy: proxyTrust(config.TRUSTED_PROXIES, config.TRUSTED_PROXY_HOPS),
    errorFilter: new GatewayErrorFilter(),
    configure: (app) => {
      app.enableCors({
        origin: config.CORS_ORIGINS,
        // Every method a route has: the CORS plugin allows only GET, HEAD and POST unless told,
        // and a browser on another origin then cannot rename (PATCH) or delete (DELETE).
        methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
        exposedHeaders: ['x-request-id', 'x-chat-request-id', 'retry-after'],
      });
      addSecurityHeaders(app);
      acceptJsonOnly(app);
      answerWrongMethodsWith405(app);
      setUpSwagger(app);
    },
  });
});
