/**
 * Verifiers nobody here wrote, for interop tests: Debian's python3-jwt (PyJWKClient against the
 * running service's JWKS URL) and jose's createRemoteJWKSet. Each answers, per token, the
 * subject it verified or null.
 */
import { execFile } from 'node:child_process';
import { createRemoteJWKSet, jwtVerify } from 'jose';

/** Debian's interpreter: python3-jwt and python3-cryptography are Debian packages (.ci/apt-packages). */
const PYTHON = '/usr/bin/python3';

const PY_VERIFY = `
import json, sys, jwt
from jwt import PyJWKClient
url, alg = sys.argv[1], sys.argv[2]
client = PyJWKClient(url)
out = []
for token in json.load(sys.stdin):
    try:
        key = client.get_signing_key_from_jwt(token)
        claims = jwt.decode(token, key.key, algorithms=[alg], issuer="ats.auth", options={"require": ["exp", "iat", "sub"]})
        out.append(claims["sub"])
    except Exception:
        out.append(None)
print(json.dumps(out))
`;

export function pyjwtVerify(jwksUrl: string, alg: string, tokens: string[]): Promise<(string | null)[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(PYTHON, ['-c', PY_VERIFY, jwksUrl, alg], { timeout: 20_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`python3-jwt failed: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout) as (string | null)[]);
    });
    child.stdin!.end(JSON.stringify(tokens));
  });
}

export async function joseVerify(jwksUrl: string, alg: string, tokens: string[]): Promise<(string | null)[]> {
  const jwks = createRemoteJWKSet(new URL(jwksUrl));
  return Promise.all(
    tokens.map((token) =>
      jwtVerify(token, jwks, { issuer: 'ats.auth', algorithms: [alg] }).then(
        ({ payload }) => payload.sub ?? null,
        () => null,
      ),
    ),
  );
}
