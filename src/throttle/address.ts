/**
 * The client a failed login is counted against (SPEC §15). One IPv6 host usually holds a whole
 * /64 (SLAAC, privacy addresses), so counting single IPv6 addresses would give an attacker 2^64
 * fresh budgets; they are counted per network instead. IPv4-mapped IPv6 (::ffff:a.b.c.d, as a
 * dual-stack socket reports IPv4 peers) is the IPv4 address it maps.
 */
import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

export function throttleAddress(address: string, ipv6Prefix: number): string {
  // isIP first: ipaddr.js also reads legacy forms ("127.1", hex octets) that no socket reports.
  if (isIP(address) === 0) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4' || ipv6Prefix >= 128) return parsed.toString();
  const bytes = parsed.toByteArray();
  for (let bit = ipv6Prefix; bit < 128; bit++) bytes[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return `${ipaddr.fromByteArray(bytes).toString()}/${ipv6Prefix}`;
}
