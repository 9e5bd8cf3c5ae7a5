import { BlockList, isIP } from 'node:net';

/** Names for the address ranges proxies usually sit in (the names proxy-addr uses). */
const PRESETS: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** Why `entry` is not an address, a CIDR block or a preset name; undefined when it is one. */
export function proxyEntryProblem(entry: string): string | undefined {
  if (entry in PRESETS) return undefined;
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return `'${entry}' is not an address, a CIDR block or one of ${Object.keys(PRESETS).join(', ')}`;
  if (prefix !== undefined && !(/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128))) {
    return `'${entry}' has a bad prefix length`;
  }
  return undefined;
}

/**
 * Which hops of a request's path Fastify may believe about the client address: the
 * connection's peer (hop 0) and the X-Forwarded-For entries before it, each only if it is
 * among `trusted` and within the first `hops`. The client is the first hop not believed.
 * Checking the address as well as the count means a client that reaches the gateway
 * directly cannot name itself in X-Forwarded-For: its own address is not a trusted one.
 */
export function proxyTrust(trusted: readonly string[], hops: number): (address: string, hop: number) => boolean {
  const list = new BlockList();
  for (const entry of trusted.flatMap((e) => PRESETS[e] ?? [e])) {
    const [address = '', prefix] = entry.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return (address, hop) => {
    if (hop >= hops) return false;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    const plain = mapped ?? address;
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
}
