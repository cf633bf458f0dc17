// A TCP load balancer in front of several instances, as a city runs them: each new connection goes to
// the first instance of its list that accepts it. A scenario pauses it (new connections refused, as
// while a real balancer's health check has not yet noticed a dead instance) and takes instances out.
import net from 'node:net';
import { freePort } from '../../../server/testing/net.ts';
import { onCleanup } from './util.ts';

export class Balancer {
  private paused = false;
  private readonly open = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private targets: number[],
  ) {}

  /** Listens on a free port of 127.0.0.1, in front of the instances on `targets` (ports), in order. */
  static async start(targets: number[]): Promise<Balancer> {
    const port = await freePort();
    let b: Balancer | undefined;
    const server = net.createServer((c) => b?.accept(c));
    b = new Balancer(server, port, [...targets]);
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    onCleanup('balancer', () => b.close());
    return b;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Refuses new connections until `resume` (those open stay). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  /** Sends no new connection to the instance on `port`. */
  remove(port: number): void {
    this.targets = this.targets.filter((p) => p !== port);
  }

  private accept(client: net.Socket, tried = 0): void {
    client.on('error', () => {});
    if (this.paused || tried >= this.targets.length) {
      client.destroy();
      return;
    }
    const up = net.connect(this.targets[tried], '127.0.0.1');
    const fail = () => {
      up.destroy();
      this.accept(client, tried + 1);
    };
    up.once('error', fail);
    up.once('connect', () => {
      up.off('error', fail);
      up.on('error', () => client.destroy());
      client.on('close', () => up.destroy());
      up.on('close', () => client.destroy());
      this.open.add(client);
      client.on('close', () => this.open.delete(client));
      client.pipe(up);
      up.pipe(client);
    });
  }

  async close(): Promise<void> {
    for (const c of this.open) c.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
