// tsc compiles only TypeScript; the SQL migrations and the account pages' stylesheet ship beside the compiled code.
import { cpSync } from 'node:fs';
cpSync('src/store/migrations', 'dist/store/migrations', { recursive: true });
cpSync('src/http/account/assets', 'dist/http/account/assets', { recursive: true });
