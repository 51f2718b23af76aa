/** Why a signing secret is unacceptable, or undefined when it is fine (§6). */
export const MIN_SECRET_BYTES = 32;

// Secrets copied from tutorials and defaults of popular tools; refusing them stops a
// deployment that "works" with a secret every attacker also knows.
const WELL_KNOWN = new Set(
  [
    'secret',
    'changeme',
    'change-me',
    'your-256-bit-secret',
    'your-secret-key',
    'supersecret',
    'jwt_secret',
    'mysecretkey',
    'thisisasecretkeythatisatleast32byteslong',
    'your-super-secret-jwt-token-with-at-least-32-characters-long',
    'super-secret-jwt-token-with-at-least-32-characters-long',
    'secretsecretsecretsecretsecretsecret',
  ].map((s) => s.toLowerCase()),
);

export function secretProblem(secret: string): string | undefined {
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
    return `must be at least ${MIN_SECRET_BYTES} bytes`;
  }
  if (WELL_KNOWN.has(secret.toLowerCase()) || new Set(secret).size <= 2) {
    return 'is a well-known or trivially guessable value; generate one (e.g. openssl rand -base64 48)';
  }
  return undefined;
}

/** Problems with ATS_AUTH_JWT_SIGNING_KID given the configured kids (env keys or keys file). */
export function signingKidProblems(kids: readonly string[], signingKid: string | undefined): string[] {
  if (signingKid === undefined && kids.length > 1) {
    return [`ATS_AUTH_JWT_SIGNING_KID: required when several keys are configured (one of ${kids.join(', ')})`];
  }
  if (signingKid !== undefined && !kids.includes(signingKid)) {
    return [`ATS_AUTH_JWT_SIGNING_KID: '${signingKid}' is not one of the configured kids (${kids.join(', ')})`];
  }
  return [];
}

/** Problems with named keys (ATS_AUTH_JWT_KEYS or its file): each secret, then the signing kid. */
export function namedKeyProblems(setting: string, keys: Readonly<Record<string, string>>, signingKid: string | undefined): string[] {
  const problems: string[] = [];
  for (const [kid, secret] of Object.entries(keys)) {
    const problem = secretProblem(secret);
    if (problem) problems.push(`${setting}: the secret of kid '${kid}' ${problem}`);
  }
  problems.push(...signingKidProblems(Object.keys(keys), signingKid));
  return problems;
}
