/** A mistake in how the command was called: exit 2 with the message. */
export class UsageError extends Error {}

export const HELP = `usage: ats-auth <command>

  serve [--workers N|auto]     run the HTTP service
  user add <name>              add a user (password from the terminal or stdin)
  user passwd <name> [--keep-sessions]
                               set a user's password; ends their sessions unless
                               --keep-sessions
  user disable <name>          refuse a user's logins and revoke their tokens
  user enable <name>           allow a disabled user again
  user remove <name>           delete a user and revoke their tokens
  user list                    list users
  sessions <name>              list a user's live sessions (devices)
  revoke --jti <id>            revoke one token
  revoke --session <id>        end one session: every token of that device
  revoke --user <name>         revoke every token of a user issued up to now
  throttle list                failed logins in the current throttle window
  throttle clear --user <name> | --address <addr> | --all
                               forget failed logins (lift a throttle)
  keys list                    list the asymmetric signing keys and their states
  keys rotate [--now]          publish a next key, or make the next key sign
  keys revoke <kid>            refuse a key's tokens everywhere and drop it from the JWKS
  migrate                      apply database migrations

Configuration comes from ATS_AUTH_* environment variables and the file named by ATS_AUTH_CONFIG.
`;
