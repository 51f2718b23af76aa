/**
 * Refresh tokens (SPEC §12): opaque, 256 random bits, base64url. The store sees only their
 * SHA-256 digest. When one is spent, the pair it was exchanged for is sealed (AES-256-GCM) under
 * a key derived from the spent token by HKDF, so within the grace window the same pair can be
 * answered again to whoever still holds the spent token, and to nobody else: the store alone
 * (digests and sealed blobs) yields neither token.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

const TOKEN_BYTES = 32;
/** 32 bytes in base64url, no padding. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const SEAL_INFO = 'ats-auth refresh successor v1';

export function newRefreshToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** Whether the text can be a refresh token at all (checked before any store access). */
export function isRefreshTokenShaped(text: string): boolean {
  return TOKEN_SHAPE.test(text);
}

export function refreshDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** What a refresh answered: sealed for the grace window. */
export interface Pair {
  token: string;
  refreshToken: string;
  /** When the access token expires (ms), so a repeated answer can say how long is left. */
  expiresAtMs: number;
}

function sealKey(spentToken: string): Buffer {
  return Buffer.from(hkdfSync('sha256', spentToken, Buffer.alloc(0), SEAL_INFO, 32));
}

export function sealSuccessor(spentToken: string, pair: Pair): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(spentToken), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify([pair.token, pair.refreshToken, pair.expiresAtMs])), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

/** The pair, or null when the blob does not open with this token (tampered, or not its successor). */
export function openSuccessor(spentToken: string, sealed: string): Pair | null {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', sealKey(spentToken), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    const text = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
    const [token, refreshToken, expiresAtMs] = JSON.parse(text) as [string, string, number];
    return { token, refreshToken, expiresAtMs };
  } catch {
    return null;
  }
}
