/**
 * `locksmith locks list|show|release|watch`: argument parsing, output and exit codes around
 * {@link RedisLockInspector} (src/stores/redis-inspect.ts), which holds the Redis logic.
 */
import { userInfo, hostname } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { parseDuration } from '../../src/duration.js';
import { RedisLockInspector } from '../../src/stores/redis-inspect.js';
import { assertNotDerived } from '../../src/stores/redis-keys.js';
import { connect, describeTarget, parseAddresses, UnreachableError, type Client, type Target } from '../../src/stores/redis-admin-connect.js';
import { formatTtl, lockDetails, lockTable } from './render.js';
import { watch } from './watch.js';

export const LOCKS_HELP = `Usage: locksmith locks <command> [options]

Shows and administers the locks RedisStore keeps in Redis (read with SCAN, never KEYS).

Commands:
  list [--match GLOB] [--json]    held locks: name, owner, ttl, queued waiters, fencing counter
  show NAME [--json]              one lock and its queued waiters (arrival, deadline, ttl)
  release NAME --force [--yes]    force-release NAME; the oldest queued waiter gets it, as after any
                                  release. One audit line on stderr. Asks first on a terminal unless --yes
  watch [--match GLOB]            live view, refreshed every second; q quits

Connection (one of):
      --redis <url>               redis[s]://… (default: $REDIS_URL)
      --sentinel <host:port,…>    Sentinel, with --sentinel-name <name> (default mymaster)
      --cluster <host:port,…>     Redis Cluster startup nodes
Options:
      --prefix <p>                the prefix given to createLocks({ prefix }) (default: none)
      --timeout <duration>        how long to wait for Redis, e.g. 2s (default 5s)
      --match <glob>              Redis glob over lock names (list, watch)
      --json                      machine-readable output (list, show)
  -h, --help                      show this help

Exit codes: 0 done, 1 the lock is not held (show, release), 2 bad usage or Redis unreachable.
`;

/** What the locks commands read and write; the process's own by default. */
export interface LocksIO {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env?: NodeJS.ProcessEnv;
  readonly stdin?: NodeJS.ReadStream;
}

class UsageError extends Error {}

interface Parsed {
  readonly command: 'list' | 'show' | 'release' | 'watch';
  readonly name: string | undefined;
  readonly match: string;
  readonly json: boolean;
  readonly force: boolean;
  readonly yes: boolean;
  readonly prefix: string;
  readonly target: Target;
}

const COMMANDS = new Set(['list', 'show', 'release', 'watch']);

function parse(argv: readonly string[], env: NodeJS.ProcessEnv): Parsed | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        redis: { type: 'string' },
        cluster: { type: 'string' },
        sentinel: { type: 'string' },
        'sentinel-name': { type: 'string', default: 'mymaster' },
        prefix: { type: 'string', default: '' },
        timeout: { type: 'string', default: '5s' },
        match: { type: 'string', default: '*' },
        json: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        yes: { type: 'boolean', short: 'y', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, name, ...extra] = positionals;
  if (values.help || command === undefined || command === 'help') return 'help';
  if (!COMMANDS.has(command)) throw new UsageError(`unknown command ${JSON.stringify(command)}: use list, show, release or watch`);
  const needsName = command === 'show' || command === 'release';
  if (needsName && (name === undefined || name === '')) throw new UsageError(`locks ${command} needs a lock NAME`);
  if (extra.length > 0 || (!needsName && name !== undefined)) {
    throw new UsageError(`unexpected argument ${JSON.stringify(needsName ? extra[0] : name)}`);
  }
  if (command === 'release' && !values.force) {
    throw new UsageError('locks release takes the lock from its holder: say so with --force');
  }
  const chosen = [values.redis, values.cluster, values.sentinel].filter((value) => value !== undefined);
  if (chosen.length > 1) throw new UsageError('give one of --redis, --sentinel and --cluster');
  const redis = values.redis ?? (chosen.length === 0 ? env.REDIS_URL : undefined);
  if (chosen.length === 0 && (redis === undefined || redis === '')) {
    throw new UsageError('no Redis given: use --redis URL (or set REDIS_URL), --sentinel or --cluster');
  }
  if (values.cluster !== undefined) parseAddresses(values.cluster, '--cluster');
  if (values.sentinel !== undefined) parseAddresses(values.sentinel, '--sentinel');
  let timeoutMs: number;
  try {
    timeoutMs = Math.max(1, Math.ceil(parseDuration(values.timeout, '--timeout')));
    // A name whose key is another lock's hold record, queue, …: not a lock (releasing it would strand that lock).
    if (needsName) assertNotDerived(values.prefix + name);
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^locksmith: /, ''));
  }
  return {
    command: command as Parsed['command'],
    name,
    match: values.match,
    json: values.json,
    force: values.force,
    yes: values.yes,
    prefix: values.prefix,
    target: { redis, cluster: values.cluster, sentinel: values.sentinel, sentinelName: values['sentinel-name'], timeoutMs },
  };
}

/** Runs `locksmith locks <argv…>`; resolves with the exit code. */
export async function runLocks(argv: readonly string[], io: LocksIO): Promise<number> {
  const env = io.env ?? process.env;
  let parsed: Parsed | 'help';
  try {
    parsed = parse(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof TypeError || error instanceof RangeError)) throw error;
    io.stderr.write(`locksmith: ${error.message}\n\nRun \`locksmith locks --help\` for usage.\n`);
    return 2;
  }
  if (parsed === 'help') {
    io.stdout.write(LOCKS_HELP);
    return 0;
  }
  let client: Client | undefined;
  try {
    client = await connect(parsed.target);
    const inspector = new RedisLockInspector(client, parsed.prefix);
    return await run(parsed, inspector, io);
  } catch (error) {
    if (error instanceof UnreachableError) {
      io.stderr.write(`locksmith: ${error.message}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`locksmith: ${message.split('\n')[0]} (${describeTarget(parsed.target)})\n`);
    return 2;
  } finally {
    client?.disconnect();
  }
}

async function run(parsed: Parsed, inspector: RedisLockInspector, io: LocksIO): Promise<number> {
  switch (parsed.command) {
    case 'list': {
      const locks = await inspector.list(parsed.match);
      if (parsed.json) io.stdout.write(`${JSON.stringify(locks, null, 2)}\n`);
      else io.stdout.write(locks.length === 0 ? 'no locks held\n' : `${lockTable(locks)}\n`);
      return 0;
    }
    case 'show': {
      const name = parsed.name as string;
      const lock = await inspector.show(name);
      if (!lock) {
        io.stderr.write(`locksmith: no lock is held under ${JSON.stringify(name)}\n`);
        return 1;
      }
      io.stdout.write(parsed.json ? `${JSON.stringify(lock, null, 2)}\n` : `${lockDetails(lock)}\n`);
      return 0;
    }
    case 'release':
      return release(parsed, inspector, io);
    case 'watch': {
      const stdin = io.stdin ?? process.stdin;
      const stdout = io.stdout === process.stdout ? process.stdout : undefined;
      if (!stdin.isTTY || !stdout?.isTTY) {
        io.stderr.write('locksmith: locks watch needs a terminal; in scripts use `locksmith locks list --json`\n');
        return 2;
      }
      return watch({ inspector, match: parsed.match, source: describeTarget(parsed.target), intervalMs: 1_000, stdin, stdout });
    }
  }
}

async function release(parsed: Parsed, inspector: RedisLockInspector, io: LocksIO): Promise<number> {
  const name = parsed.name as string;
  const stdin = io.stdin ?? process.stdin;
  if (!parsed.yes && stdin.isTTY) {
    const lock = await inspector.show(name);
    if (!lock) {
      io.stderr.write(`locksmith: no lock is held under ${JSON.stringify(name)}\n`);
      return 1;
    }
    const question = `Force-release "${name}", held by ${lock.owner} (ttl ${formatTtl(lock.ttlMs)}, ${lock.waiters} waiting)? [y/N] `;
    const prompt = createInterface({ input: stdin, output: process.stderr });
    const answer = await prompt.question(question).finally(() => prompt.close());
    if (!/^y(es)?$/i.test(answer.trim())) {
      io.stderr.write('locksmith: not released\n');
      return 1;
    }
  }
  const released = await inspector.release(name);
  if (!released) {
    io.stderr.write(`locksmith: no lock is held under ${JSON.stringify(name)}\n`);
    return 1;
  }
  io.stderr.write(`${auditLine(name, released.previousOwner, released.ttlMs)}\n`);
  return 0;
}

/** One logfmt line: when, what, whose lock with how much lease left, and who did it from where. */
export function auditLine(name: string, previousOwner: string, ttlMs: number, at = new Date()): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? 'unknown';
  }
  return [
    `time=${at.toISOString()}`,
    'action=force-release',
    `name=${JSON.stringify(name)}`,
    `previous_owner=${JSON.stringify(previousOwner)}`,
    `ttl_ms=${ttlMs}`,
    `user=${JSON.stringify(user)}`,
    `host=${JSON.stringify(hostname())}`,
  ].join(' ');
}
