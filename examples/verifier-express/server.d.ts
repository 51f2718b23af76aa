import type { Express } from 'express';
import type { Verifier } from 'ats-auth/verifier';

export function createApp(verifier: Verifier): Express;
