import type { ApiClient } from '@/api/client';

let client: ApiClient | undefined;

/** Sets the gateway client the app uses (main.ts at start; unit specs, a fake). */
export function provideApi(api: ApiClient): void {
  client = api;
}

/** The gateway client. */
export function useApi(): ApiClient {
  if (!client) throw new Error('The API client is not set up yet (provideApi).');
  return client;
}
