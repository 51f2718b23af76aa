/** Who is calling, as far as the audit log and the session list need to know. */
export interface ClientInfo {
  address: string | null;
  userAgent: string | null;
}

export const CLI_CLIENT: ClientInfo = { address: null, userAgent: 'ats-auth cli' };
