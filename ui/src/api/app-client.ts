import type { ApiClient } from './client';

let client: ApiClient | undefined;

/** Sets the gateway client the whole app uses: main.ts once at start, a unit spec its fake. */
export function setApiClient(api: ApiClient): void {
  client = api;
}

/**
 * The gateway client the app uses. A module-level instance rather than a composable or an
 * injection: stores call it outside any component, at times no component is mounted.
 */
export function apiClient(): ApiClient {
  if (!client) throw new Error('The API client is not set up yet (setApiClient).');
  return client;
}
