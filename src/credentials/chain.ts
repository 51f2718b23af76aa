/** Tries verifiers in the configured order; the first that recognises the password wins. */
import type { CredentialVerifier } from './port.js';

export function chainVerifiers(verifiers: readonly CredentialVerifier[]): CredentialVerifier {
  if (verifiers.length === 1) return verifiers[0]!;
  return {
    name: verifiers.map((v) => v.name).join(','),
    async verify(username, password) {
      for (const verifier of verifiers) {
        const identity = await verifier.verify(username, password);
        if (identity !== null) return identity;
      }
      return null;
    },
  };
}
