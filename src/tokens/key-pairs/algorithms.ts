/** Key pairs of the asymmetric algorithms (§11), made by node:crypto; the public half exported as a JWK. */
import { createPublicKey, generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { KeyAlgorithm } from '../../store/index.js';

export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ['EdDSA', 'ES256', 'RS256'];

const generate = promisify(generateKeyPair);

export interface NewKeyPair {
  kid: string;
  alg: KeyAlgorithm;
  publicJwk: Readonly<Record<string, string>>;
  privatePem: string;
}

async function pairFor(alg: KeyAlgorithm): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  switch (alg) {
    case 'EdDSA':
      return generate('ed25519');
    case 'ES256':
      return generate('ec', { namedCurve: 'P-256' });
    case 'RS256':
      return generate('rsa', { modulusLength: 2048 });
  }
}

/** A fresh key pair; the kid is random (96 bits) and says nothing about the key. */
export async function newKeyPair(alg: KeyAlgorithm): Promise<NewKeyPair> {
  const { publicKey, privateKey } = await pairFor(alg);
  const jwk = publicKey.export({ format: 'jwk' }) as Record<string, string>;
  // Only the members that define the key (RFC 7638's required ones), in a fixed order.
  const members = ['kty', 'crv', 'x', 'y', 'n', 'e'].filter((name) => typeof jwk[name] === 'string');
  const publicJwk = Object.freeze(Object.fromEntries(members.map((name) => [name, jwk[name]!])));
  return {
    kid: randomBytes(12).toString('base64url'),
    alg,
    publicJwk,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

/** The SPKI PEM of a stored public JWK, the form fast-jwt verifies with. */
export function publicPem(publicJwk: Readonly<Record<string, string>>): string {
  return createPublicKey({ key: { ...publicJwk }, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
}
