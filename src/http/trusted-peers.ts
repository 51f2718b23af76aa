/** §5: which peers may vouch for a user with X-Auth-UserId (and name the client in X-Forwarded-For). */
import { BlockList, isIPv4 } from 'node:net';

export type IsTrustedPeer = (address: string | undefined) => boolean;

export function createPeerTrust(cidrs: readonly string[]): IsTrustedPeer {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, prefix] = cidr.split('/') as [string, string | undefined];
    const family = isIPv4(address) ? 'ipv4' : 'ipv6';
    list.addSubnet(address, prefix === undefined ? (family === 'ipv4' ? 32 : 128) : Number(prefix), family);
  }
  return (address) => {
    if (address === undefined) return false;
    // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; BlockList matches those
    // IPv4-mapped addresses against the IPv4 rules itself.
    return list.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
  };
}
