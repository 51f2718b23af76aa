/**
 * Private keys at rest (§11): AES-256-GCM under a key derived by HKDF-SHA256 from the service
 * secret with a label of its own, so the sealing key is never the secret that signs HS256 tokens.
 * The kid is authenticated data: a sealed key moved to another row does not open.
 * Sealing uses the signing secret; opening tries every configured secret, so an HS256 key
 * rotation (ATS_AUTH_JWT_KEYS) keeps stored keys readable while the old secret is still listed.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { KeysUnreadable } from '../../errors.js';

const LABEL = 'ats-auth signing keys at rest v1';
const SALT = 'ats-auth';
const VERSION = 'v1';

export interface Sealer {
  seal(kid: string, privatePem: string): string;
  /** The private key PEM; throws KeysUnreadable when no configured secret opens it. */
  open(kid: string, sealed: string): string;
}

export function createSealer(secrets: readonly Buffer[]): Sealer {
  const keys = secrets.map((secret) => Buffer.from(hkdfSync('sha256', secret, SALT, LABEL, 32)));
  return {
    seal(kid, privatePem) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keys[0]!, iv);
      cipher.setAAD(Buffer.from(kid, 'utf8'));
      const sealed = Buffer.concat([cipher.update(privatePem, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${VERSION}.${iv.toString('base64url')}.${sealed.toString('base64url')}`;
    },
    open(kid, text) {
      const [version, iv, sealed] = text.split('.');
      if (version !== VERSION || iv === undefined || sealed === undefined) throw new KeysUnreadable(kid);
      const body = Buffer.from(sealed, 'base64url');
      for (const key of keys) {
        try {
          const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
          decipher.setAAD(Buffer.from(kid, 'utf8'));
          decipher.setAuthTag(body.subarray(body.length - 16));
          return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString('utf8');
        } catch {
          // Not this secret; try the next.
        }
      }
      throw new KeysUnreadable(kid);
    },
  };
}
