import { createHash } from 'node:crypto';
import { parseReference } from '../reconcile/decisions';

const MANIFEST_TYPES = ['application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.manifest.v1+json'].join(', ');

/**
 * The digest a registry reference points at now: sha256 of its manifest, which is what
 * Ollama reports for a model it pulled from there (it writes the manifest as it got it).
 * The registry is asked anonymously, following a Bearer challenge to its token service if
 * it sends one. A registry that cannot be reached or refuses gives an Error; the operator
 * then keeps to the digest it last knew.
 */
export async function manifestDigest(reference: string, insecure: boolean, timeoutMs: number): Promise<string> {
  const r = parseReference(reference);
  const url = `${insecure ? 'http' : 'https'}://${r.host}/v2/${r.namespace}/${r.repository}/manifests/${r.tag}`;
  const get = (authorization?: string) =>
    fetch(url, {
      headers: { accept: MANIFEST_TYPES, ...(authorization ? { authorization } : {}) },
      signal: AbortSignal.timeout(timeoutMs),
    });
  let response = await get();
  if (response.status === 401) {
    const token = await bearerToken(response.headers.get('www-authenticate'), timeoutMs);
    if (token) response = await get(`Bearer ${token}`);
  }
  if (!response.ok) throw new Error(`the registry answered ${response.status} for ${reference}`);
  const body = Buffer.from(await response.arrayBuffer());
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

/** An anonymous token from the realm a `WWW-Authenticate: Bearer realm=...,service=...,scope=...` names. */
async function bearerToken(challenge: string | null, timeoutMs: number): Promise<string | undefined> {
  if (!challenge?.startsWith('Bearer ')) return undefined;
  const params: Record<string, string> = Object.fromEntries([...challenge.slice(7).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
  if (!params.realm) return undefined;
  const url = new URL(params.realm);
  if (params.service) url.searchParams.set('service', params.service);
  if (params.scope) url.searchParams.set('scope', params.scope);
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) return undefined;
  const body = (await response.json()) as { token?: string; access_token?: string };
  return body.token ?? body.access_token;
}
