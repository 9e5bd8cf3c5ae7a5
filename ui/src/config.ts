/** What the app reads at start from /config.json: set when the container starts, not at build time. */
export interface RuntimeConfig {
  /** The gateway's origin, e.g. https://api.example.com; "" for the page's own origin. */
  gatewayUrl: string;
}

export async function loadRuntimeConfig(fetchImpl: typeof fetch = fetch): Promise<RuntimeConfig> {
  const response = await fetchImpl('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`/config.json answered ${response.status}`);
  const body = (await response.json()) as Partial<RuntimeConfig> | null;
  if (typeof body?.gatewayUrl !== 'string') throw new Error('/config.json has no gatewayUrl');
  return { gatewayUrl: body.gatewayUrl };
}
