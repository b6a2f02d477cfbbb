/**
 * Counts the requests clients send to a redis-server, read from `MONITOR` on a plain socket. (ioredis's
 * `monitor()` can mistake the first monitor lines for command replies on a busy server and throw
 * "Command queue state error", so this reads the stream itself.) MONITOR marks commands a Lua script runs
 * with `lua` as the source: those are counted apart, since they cost no round trip.
 */
import { createConnection, type Socket } from 'node:net';

export interface RequestCounts {
  /** Client requests by lower-case command name, e.g. `{ evalsha: 3, subscribe: 1 }`. */
  readonly byCommand: Record<string, number>;
  /** Commands run inside Lua scripts. */
  readonly scriptInternal: number;
}

export class RedisMonitor {
  private counts: Record<string, number> = {};
  private scriptInternal = 0;
  private buffer = '';

  private constructor(
    private readonly socket: Socket,
    /** Commands not counted (the observer's own traffic). */
    private readonly ignored: ReadonlySet<string>,
  ) {}

  /** Connects and resolves once the server has confirmed MONITOR, so nothing sent afterwards is missed. */
  static start(port: number, ignored: readonly string[] = ['info', 'client', 'config', 'ping']): Promise<RedisMonitor> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      const monitor = new RedisMonitor(socket, new Set(ignored));
      let confirmed = false;
      socket.setEncoding('utf8');
      socket.once('error', reject);
      socket.on('data', (chunk: string) => {
        monitor.buffer += chunk;
        let end: number;
        while ((end = monitor.buffer.indexOf('\r\n')) >= 0) {
          const line = monitor.buffer.slice(0, end);
          monitor.buffer = monitor.buffer.slice(end + 2);
          if (!confirmed) {
            if (line === '+OK') {
              confirmed = true;
              resolve(monitor);
            } else reject(new Error(`MONITOR refused: ${line}`));
            continue;
          }
          monitor.record(line);
        }
      });
      socket.write('MONITOR\r\n');
    });
  }

  /** Starts counting afresh. */
  reset(): void {
    this.counts = {};
    this.scriptInternal = 0;
  }

  snapshot(): RequestCounts {
    return { byCommand: { ...this.counts }, scriptInternal: this.scriptInternal };
  }

  /** Client requests counted since the start (or the last reset). */
  total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  stop(): void {
    this.socket.destroy();
  }

  // A line looks like: +1700000000.123456 [0 127.0.0.1:50000] "evalsha" "…" …  (source `lua` for scripts)
  private record(line: string): void {
    const match = /^\+\d+\.\d+ \[\d+ ([^\]]+)\] "([^"]*)"/.exec(line);
    if (!match) return;
    if (match[1] === 'lua') {
      this.scriptInternal++;
      return;
    }
    const command = (match[2] ?? '').toLowerCase();
    if (this.ignored.has(command)) return;
    this.counts[command] = (this.counts[command] ?? 0) + 1;
  }
}
