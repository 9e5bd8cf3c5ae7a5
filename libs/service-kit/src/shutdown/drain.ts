import { z } from '@shoshizan/shared-interfaces';
import { loadConfig } from '../config/load-config';

/**
 * The drain before a shutdown. Under Kubernetes, SIGTERM reaches a pod while the Endpoints,
 * kube-proxy and the Ingress controller are still removing it: a server that stops accepting
 * at once answers the requests they still send it with connection errors (502s at the
 * Ingress). So the process first keeps serving for SHUTDOWN_DELAY_SECONDS while its readiness
 * route answers 503 (health.module.ts), and only then closes. Local mode and the tests stop
 * at once (0, the default): nothing routes to a process there but its own clients.
 */
const drainEnvSchema = z.object({
  /** Seconds to keep serving after SIGTERM, readiness failing, before closing. @default 0 */
  SHUTDOWN_DELAY_SECONDS: z.coerce.number().int().min(0).max(20).default(0),
});

/** How long to keep serving after SIGTERM, in ms; a bad variable throws a ConfigValidationError naming it. */
export function loadDrainDelayMs(service: string, env: NodeJS.ProcessEnv = process.env): number {
  return loadConfig(service, drainEnvSchema, env).SHUTDOWN_DELAY_SECONDS * 1000;
}

let draining = false;

/** From now on this process is shutting down: its readiness route fails. */
export function startDraining(): void {
  draining = true;
}

/** Whether this process is shutting down (SIGTERM or SIGINT came). */
export function isDraining(): boolean {
  return draining;
}
