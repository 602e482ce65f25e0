import dnsPacket from 'dns-packet';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

const NXDOMAIN = 3;

/**
 * A tiny authoritative DNS server for a local stack: answers A queries for the names it was given
 * with the current replica addresses - what cluster DNS does for a headless Service - so the gateway
 * can be configured by name (WEBAPP_URL, RPC_TARGET) and see replicas come and go without a restart.
 * Known names without records of the asked type get an empty answer; unknown names NXDOMAIN.
 * TTL 0: resolvers must ask again each time, so a change is seen at the next lookup.
 */
export class DnsServer {
  private socket: Socket | undefined;
  private readonly records = new Map<string, string[]>();
  /** Queries answered so far, by name (lower case). */
  readonly queries = new Map<string, number>();
  readonly host: string;
  readonly port: number;

  constructor(host: string, port: number) {
    this.host = host;
    this.port = port;
  }

  /** `host:port`, as DNS_SERVERS and a grpc-js `dns://<server>/` authority take it. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** Replaces the A records of a name (an empty list keeps the name, with no addresses). */
  set(name: string, addresses: string[]): void {
    this.records.set(name.toLowerCase(), [...addresses]);
  }

  async start(): Promise<void> {
    const socket = createSocket('udp4');
    socket.on('message', (message, remote) => this.answer(socket, message, remote));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.port, this.host, () => resolve());
    });
    socket.on('error', () => undefined);
    this.socket = socket;
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private answer(socket: Socket, message: Buffer, remote: RemoteInfo): void {
    let query;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return; // not DNS: ignore, as a real server would
    }
    const question = query.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase();
    this.queries.set(name, (this.queries.get(name) ?? 0) + 1);
    const addresses = this.records.get(name);
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (addresses ? 0 : NXDOMAIN),
      questions: [question],
      answers:
        addresses && question.type === 'A'
          ? addresses.map((data) => ({ type: 'A' as const, name: question.name, ttl: 0, data }))
          : [],
    });
    socket.send(response, remote.port, remote.address);
  }
}
