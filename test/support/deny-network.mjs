// Preloaded (node --import) into a tool that must work offline: any attempt to reach the network
// fails and is reported on stderr with the marker NETWORK-ATTEMPT, which the test looks for.
import dns from 'node:dns';
import net from 'node:net';

const MARK = 'NETWORK-ATTEMPT';
function refuse(what) {
  process.stderr.write(`${MARK} ${what}\n`);
  return new Error(`${MARK}: ${what} is not allowed here`);
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const [first] = args;
  const options = typeof first === 'object' && first !== null ? (Array.isArray(first) ? first[0] : first) : { port: first };
  // Local IPC sockets (a path, no port) are not the network.
  if (options && typeof options.path === 'string' && options.port === undefined) return connect.apply(this, args);
  throw refuse(`connect ${JSON.stringify(options?.host ?? '')}:${options?.port ?? ''}`);
};
dns.lookup = (hostname) => {
  throw refuse(`dns.lookup ${hostname}`);
};
dns.promises.lookup = async (hostname) => {
  throw refuse(`dns.lookup ${hostname}`);
};
globalThis.fetch = async (input) => {
  throw refuse(`fetch ${String(input instanceof Request ? input.url : input)}`);
};
