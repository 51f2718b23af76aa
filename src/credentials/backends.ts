/**
 * Builds the configured backends (ATS_AUTH_CREDENTIALS, in order) and the chain over them. The
 * directory backends are imported only when configured: their modules (ldapts and the rest) are
 * start-up time for every instance that does not use them.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { UserStore } from '../store/index.js';
import { createBuiltinBackend } from './builtin.js';
import { createCredentialChain, type CredentialObserver } from './chain.js';
import type { PasswordHasher } from './password-hash.js';
import type { CredentialBackend, CredentialVerifier } from './port.js';

export async function createCredentials(
  config: Readonly<Config>,
  deps: { users: UserStore; hasher: PasswordHasher; logger: Logger; observe?: CredentialObserver },
): Promise<{ verifier: CredentialVerifier; backends: readonly CredentialBackend[] }> {
  const backends: CredentialBackend[] = [];
  try {
    for (const name of config.credentials) {
      const logger = deps.logger.child({ backend: name });
      switch (name) {
        case 'builtin':
          backends.push(await createBuiltinBackend(deps.users, deps.hasher));
          break;
        case 'htpasswd': {
          const { createHtpasswdBackend } = await import('./htpasswd.js');
          backends.push(await createHtpasswdBackend({ file: config.htpasswdFile!, hasher: deps.hasher, logger }));
          break;
        }
        case 'ldap': {
          const { createLdapBackend } = await import('./ldap.js');
          backends.push(
            createLdapBackend(
              {
                url: config.ldapUrl!,
                startTls: config.ldapStartTls,
                caFile: config.ldapCaFile,
                bindDn: config.ldapBindDn,
                bindPassword: config.ldapBindPassword,
                bindPasswordFile: config.ldapBindPasswordFile,
                baseDn: config.ldapBaseDn!,
                userFilter: config.ldapUserFilter,
                usernameAttribute: config.ldapUsernameAttribute,
                timeoutMs: config.ldapTimeoutMs,
              },
              logger,
            ),
          );
          break;
        }
        case 'keystone': {
          const { createKeystoneBackend } = await import('./keystone.js');
          backends.push(
            createKeystoneBackend({
              url: config.keystoneUrl!,
              userDomain: config.keystoneUserDomain,
              project: config.keystoneProject,
              projectDomain: config.keystoneProjectDomain,
              timeoutMs: config.keystoneTimeoutMs,
            }),
          );
          break;
        }
      }
    }
  } catch (error) {
    await Promise.allSettled(backends.map((b) => b.close?.()));
    throw error;
  }
  return { verifier: createCredentialChain(backends, { logger: deps.logger, observe: deps.observe }), backends };
}
