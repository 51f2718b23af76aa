/** The correctness gate before timing: a peer must accept a good token and refuse a bad and a revoked one. */
export interface VerifyCase {
  good: { token: string; sub: string };
  bad: string;
  revoked: string;
}

export async function checkVerify(name: string, url: string, cases: VerifyCase): Promise<void> {
  const ask = (token: string) => fetch(`${url}/user/verify`, { headers: { authorization: `Bearer ${token}` } });
  const good = await ask(cases.good.token);
  if (good.status !== 200 || good.headers.get('x-auth-userid') !== cases.good.sub) {
    throw new Error(`${name}: a good token got ${good.status} (X-Auth-UserId ${good.headers.get('x-auth-userid')})`);
  }
  for (const [label, token] of [['bad', cases.bad], ['revoked', cases.revoked]] as const) {
    const res = await ask(token);
    if (res.status !== 401) throw new Error(`${name}: a ${label} token got ${res.status}, not 401`);
  }
}
