/** Peer (a), the ceiling: node:http answering 200 + X-Auth-UserId with no work at all. */
import { createServer } from 'node:http';
import { banner } from './common.js';

const server = createServer((_req, res) => {
  res.writeHead(200, { 'x-auth-userid': 'bench', 'cache-control': 'no-store', 'content-length': '0' });
  res.end();
});
server.keepAliveTimeout = 72_000;
server.listen(0, '127.0.0.1', () => banner(server.address()));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
