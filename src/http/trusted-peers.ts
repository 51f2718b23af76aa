/** §5: which peers may vouch for a user with X-Auth-UserId (and name the client in X-Forwarded-For). */
import { BlockList, isIPv4 } from 'node:net';
import { parseCidr } from '../config/index.js';

export type IsTrustedPeer = (address: string | undefined) => boolean;

export function createPeerTrust(cidrs: readonly string[]): IsTrustedPeer {
  const list = new BlockList();
  for (const entry of cidrs) {
    // The configuration accepted only valid entries; they are read here with the same parser.
    const cidr = parseCidr(entry)!;
    list.addSubnet(cidr.address, cidr.bits, cidr.family);
  }
  return (address) => {
    if (address === undefined) return false;
    // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; BlockList matches those
    // IPv4-mapped addresses against the IPv4 rules itself.
    return list.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
  };
}
