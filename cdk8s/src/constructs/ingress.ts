import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { PORTS, type Release } from './context';

export interface IngressProps {
  readonly release: Release;
}

/**
 * The Ingress: the API, health and docs routes to the gateway, everything else to the UI
 * (or to the gateway when the UI is off). Class, host, annotations and TLS from the settings.
 */
export class Ingress extends Construct {
  constructor(scope: Construct, id: string, { release }: IngressProps) {
    super(scope, id);
    const { s, v } = release;
    s.when(v.ingress.enabled, this, 'enabled', (inner) => {
      const backend = (component: string, port: number) => ({ service: { name: release.name(component), port: { number: port } } });
      const toGateway = (path: string) => ({ path, pathType: 'Prefix', backend: backend('gateway', PORTS.gateway) });
      const apiPaths = ['/v1', '/health', '/docs'].map(toGateway);
      const paths = s.choose(
        v.ui.enabled,
        [...apiPaths, { path: '/', pathType: 'Prefix', backend: backend('ui', PORTS.ui) }],
        [toGateway('/')],
      );
      const ingress = new ApiObject(inner, 'ingress', {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: release.name('gateway'), labels: release.labels('gateway') },
        spec: { ingressClassName: v.ingress.className, rules: [{ host: v.ingress.host, http: {} }] },
      });
      s.set(ingress, '/spec/rules/0/http/paths', paths);
      s.setOptional(ingress, '/metadata/annotations', v.ingress.annotations);
      s.setOptional(ingress, '/spec/tls', s.choose(v.ingress.tls.enabled, [{ hosts: [v.ingress.host], secretName: v.ingress.tls.secretName }], null));
    });
  }
}
