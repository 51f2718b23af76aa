/**
 * Attack tokens (RFC 8725 §2-3) built by hand, because a JWT library refuses to make most of
 * them. Hand-built crypto is for forging attacks in tests only; the service uses fast-jwt.
 */
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { createSigner } from 'fast-jwt';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** header.payload.signature with the signature computed by `sign` over the first two parts. */
export function rawToken(header: Record<string, unknown>, payload: Record<string, unknown>, sign: (input: string) => string): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign(input)}`;
}

export const hmac = (alg: 'sha256' | 'sha512', secret: string | Buffer) => (input: string) =>
  createHmac(alg, secret).update(input).digest('base64url');

export function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: 'ats.auth', sub: 'marco', iat: now, exp: now + 3600, jti: `attack-${Math.random()}`, ...overrides };
}

/** An RSA key pair the attacker owns: RS256 tokens, optionally with the public key as a jwk header. */
export function attackerRsa() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  return {
    jwk: publicKey.export({ format: 'jwk' }),
    sign: (payload: Record<string, unknown>, header: Record<string, unknown> = {}) =>
      createSigner({ key: pem, algorithm: 'RS256', header: header as never, noTimestamp: true })(payload),
  };
}

/** The same token with its signature's last character changed in the unused low bits only. */
export function nonCanonical(token: string): string {
  const last = token.at(-1)!;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const index = alphabet.indexOf(last);
  return token.slice(0, -1) + alphabet[index ^ 1];
}

/**
 * The same ES256 token with its raw r‖s signature (RFC 7518 §3.4) re-encoded as DER, the form
 * OpenSSL produces: a verifier that accepts both has two spellings of one token.
 */
export function derSignature(token: string): string {
  const [header, payload, signature] = token.split('.');
  const raw = Buffer.from(signature!, 'base64url');
  const integer = (bytes: Buffer) => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    const trimmed = bytes.subarray(i);
    const body = trimmed[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
    return Buffer.concat([Buffer.from([0x02, body.length]), body]);
  };
  const sequence = Buffer.concat([integer(raw.subarray(0, 32)), integer(raw.subarray(32))]);
  const der = Buffer.concat([Buffer.from([0x30, sequence.length]), sequence]);
  return `${header}.${payload}.${der.toString('base64url')}`;
}
