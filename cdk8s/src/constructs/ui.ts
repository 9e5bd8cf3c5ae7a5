import { Construct } from 'constructs';
import { PORTS, type Release } from './context';
import { ShoshizanService } from './shoshizan-service';

export interface UiProps {
  readonly release: Release;
}

/**
 * The chat UI: static files and /config.json from a small non-root server. It reaches the
 * gateway through the same Ingress host, so its gateway URL is empty (same origin).
 */
export class Ui extends ShoshizanService {
  constructor(scope: Construct, id: string, { release }: UiProps) {
    const { v } = release;
    super(scope, id, {
      release,
      component: 'ui',
      port: PORTS.ui,
      image: release.image('ui', v.ui.image),
      replicas: v.ui.replicas,
      resources: v.ui.resources,
      autoscaling: v.ui.autoscaling,
      config: { GATEWAY_URL: '' },
      // A static file server: no spans of its own.
      traced: false,
      // Live: the server answers; ready: it serves the app.
      health: { live: '/healthz', ready: '/' },
    });
  }
}
