/**
 * Starts and stops real `redis-server` processes on free loopback ports for tests and benchmarks. Never
 * touches a server it did not start (so never a user's 6379), and every server runs in its own temp dir
 * with persistence off unless asked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  readonly process: ChildProcess;
  /** Sends SIGSTOP (pause) / SIGCONT (resume), for fault injection. */
  pause(): void;
  resume(): void;
  /** Stops the server (SIGTERM, then SIGKILL after 3 s) and removes its dir unless `keepDir`. */
  stop(options?: { keepDir?: boolean; signal?: NodeJS.Signals }): Promise<void>;
}

/** A loopback port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      if (child.exitCode !== null) {
        reject(new Error(`redis-server on port ${port} exited with code ${child.exitCode}`));
        return;
      }
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.end();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`redis-server did not listen on ${port}`));
        else setTimeout(attempt, 20);
      });
    };
    attempt();
  });
}

/**
 * Starts `redis-server` on a free loopback port. `args` are extra command-line options, e.g.
 * `['--cluster-enabled', 'yes']`. Set `port` to restart a server on the port it had.
 */
export async function startRedis(
  options: {
    args?: string[];
    port?: number;
    dir?: string;
    /** A config file passed first on the command line (Sentinel needs a writable one). */
    configFile?: string;
  } = {},
): Promise<RedisServer> {
  for (let attempt = 0; ; attempt++) {
    const port = options.port ?? (await freePort());
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'locksmith-redis-'));
    const child = spawn(
      'redis-server',
      [
        ...(options.configFile === undefined ? [] : [options.configFile]),
        '--port', String(port),
        '--bind', '127.0.0.1',
        '--dir', dir,
        '--save', '',
        '--appendonly', 'no',
        '--daemonize', 'no',
        '--protected-mode', 'no',
        '--loglevel', 'warning',
        ...(options.args ?? []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const spawnError = new Promise<never>((_, reject) =>
      child.once('error', (error) =>
        reject(
          new Error(
            `could not start redis-server (${(error as NodeJS.ErrnoException).code}); install it (Debian: apt-get install redis-server)`,
            { cause: error },
          ),
        ),
      ),
    );
    try {
      await Promise.race([waitForPort(port, child, 10_000), spawnError]);
    } catch (error) {
      child.kill('SIGKILL');
      if (options.port === undefined && attempt < 3 && !String(error).includes('could not start')) continue;
      throw new Error(`${(error as Error).message}\n${output}`, { cause: error });
    }
    const server: RedisServer = {
      host: '127.0.0.1',
      port,
      url: `redis://127.0.0.1:${port}`,
      dir,
      process: child,
      pause: () => void child.kill('SIGSTOP'),
      resume: () => void child.kill('SIGCONT'),
      async stop({ keepDir = false, signal = 'SIGTERM' } = {}) {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGCONT');
          const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
          child.kill(signal);
          const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
          await exited;
          clearTimeout(timer);
        }
        if (!keepDir) rmSync(dir, { recursive: true, force: true });
      },
    };
    return server;
  }
}
