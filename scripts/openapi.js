// Writes docs/openapi.json from the route schemas (npm run openapi; needs a build first).
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../dist/http/openapi-document.js';
import { serializeOpenApi } from '../dist/http/openapi.js';

const target = new URL('../docs/openapi.json', import.meta.url);
writeFileSync(target, serializeOpenApi(await openApiDocument()));
console.log(`wrote ${target.pathname}`);
