/**
 * A loopback TCP forwarder in front of PostgreSQL, to cut one service off its database (a real
 * network partition for that service only) while other instances keep using it directly.
 * Down: current connections are reset and new ones refused; up: forwarding resumes on the same port.
 * Hold: nothing is forwarded any more but no connection is closed or refused (a black-holed path:
 * bytes sit unread, as when a route silently drops packets); release: forwarding resumes.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class TcpProxy {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  #holding = false;

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const proxy = new TcpProxy(port, target);
    await proxy.up();
    return proxy;
  }

  async up(): Promise<void> {
    if (this.#server) return;
    const server = createServer((client) => {
      const upstream = createConnection(this.target);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => {});
      }
      this.#forward(client, upstream);
      this.#forward(upstream, client);
      if (this.#holding) for (const socket of [client, upstream]) socket.pause();
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.#server = server;
  }

  async down(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.resetAndDestroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  /** Stops forwarding without closing anything. */
  hold(): void {
    this.#holding = true;
    for (const socket of this.#sockets) socket.pause();
  }

  release(): void {
    this.#holding = false;
    for (const socket of this.#sockets) socket.resume();
  }

  #forward(from: Socket, to: Socket): void {
    from.on('data', (chunk) => {
      if (to.write(chunk)) return;
      from.pause();
      to.once('drain', () => {
        if (!this.#holding) from.resume();
      });
    });
    from.on('end', () => to.end());
  }

  close(): Promise<void> {
    return this.down();
  }
}
