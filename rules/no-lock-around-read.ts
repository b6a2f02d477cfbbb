import { AST_NODE_TYPES, ASTUtils, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { contains, everyNode, methodCallLoc, skipTypeWrappers } from './analysis/ast.js';
import { type Acquisition, getLockAnalysis, type LockAnalysis } from './analysis/index.js';
import { createRule } from './utils.js';

export type Options = [
  {
    readMethods?: string[];
    writeWords?: string[];
    useDefaultVocabulary?: boolean;
  },
];
export type MessageIds = 'lockAroundRead';

/**
 * Method names that only read. `name*` also matches longer names that continue with a new word
 * (`findOne`, `find_all`, `readFile`; not `listen`). `fetch*` is deliberately absent: serializing calls to a
 * third-party API is a legitimate use of a lock.
 */
export const DEFAULT_READ_METHODS: readonly string[] = [
  'get',
  'getMany',
  'getAll',
  'has',
  'exists',
  'count',
  'lookup',
  'find*',
  'read*',
  'list*',
  'mget',
  'hget',
  'hgetall',
  'hmget',
  'hexists',
  'hlen',
  'hkeys',
  'hvals',
  'scan',
  'sscan',
  'hscan',
  'zscan',
  'smembers',
  'sismember',
  'scard',
  'zscore',
  'zrank',
  'zcard',
  'zcount',
  'zrange',
  'llen',
  'lrange',
  'lindex',
  'strlen',
  'ttl',
  'pttl',
];

/**
 * Words that make a read-looking name a write (`findOneAndUpdate`, `findOrCreate`, `readAndDelete`). Names are
 * split into words at camelCase humps, `_`, `-` and digits.
 */
export const DEFAULT_WRITE_WORDS: readonly string[] = [
  'set', 'put', 'write', 'save', 'store', 'update', 'upsert', 'insert', 'create', 'delete', 'del', 'remove',
  'destroy', 'clear', 'flush', 'purge', 'incr', 'increment', 'decr', 'decrement', 'push', 'pop', 'shift',
  'unshift', 'add', 'append', 'prepend', 'send', 'post', 'publish', 'emit', 'dispatch', 'enqueue', 'queue',
  'notify', 'fetch', 'request', 'modify', 'replace', 'patch', 'move', 'rename', 'expire', 'persist', 'lock',
  'release', 'acquire', 'refresh', 'commit', 'rollback', 'exec', 'execute', 'run', 'process', 'sync', 'import',
  'generate', 'mark', 'reset', 'touch', 'claim', 'take', 'consume', 'ack', 'evict', 'invalidate',
];

/**
 * Receiver words that mark a remote endpoint (`axios.get(url)`, `this.metrcApi.listPackages()`,
 * `httpClient.get()`): an HTTP GET to a rate-limited third-party API is exactly what a lock legitimately
 * serializes, so such calls are never taken for reads. Store words win (`redisClient.get` is a cache read).
 */
const REMOTE_RECEIVER_WORDS = new Set([
  'api', 'apis', 'http', 'https', 'axios', 'got', 'ky', 'superagent', 'request', 'requests', 'client', 'rest',
  'graphql', 'gql', 'sdk', 'fetch', 'fetcher', 'remote', 'web', 'endpoint', 'gateway', 'upstream', 'service', 'proxy',
]);
/**
 * Receiver words whose `get()`/`read()` takes something away or acquires it (`queue.get()` pops a job,
 * `pool.get()` checks out a connection, `semaphore.get()` takes a permit): not reads, whatever the name.
 */
const CONSUMING_RECEIVER_WORDS = new Set([
  'queue', 'queues', 'stack', 'channel', 'stream', 'mailbox', 'inbox', 'pool', 'semaphore', 'mutex', 'lock', 'locks',
  'lease', 'leases', 'permit', 'permits', 'ticket', 'tickets', 'iterator', 'generator', 'cursor', 'socket', 'worker',
]);
const STORE_RECEIVER_WORDS = new Set(['redis', 'cache', 'memcache', 'memcached', 'kv', 'store', 'db', 'database', 'repo', 'repository']);

/**
 * Whether a read-named call is not a read after all, by the look of its receiver (a remote endpoint, or something
 * a `get()` takes from) or of its first argument (a URL or an absolute path).
 */
function notReallyRead(call: TSESTree.CallExpression): boolean {
  const callee = skipTypeWrappers(call.callee);
  if (callee.type === AST_NODE_TYPES.MemberExpression) {
    const receiver = skipTypeWrappers(callee.object);
    const receiverName =
      receiver.type === AST_NODE_TYPES.Identifier
        ? receiver.name
        : receiver.type === AST_NODE_TYPES.MemberExpression && receiver.property.type === AST_NODE_TYPES.Identifier
          ? receiver.property.name
          : undefined;
    if (receiverName !== undefined) {
      const receiverWords = words(receiverName);
      if (receiverWords.some((word) => CONSUMING_RECEIVER_WORDS.has(word))) return true;
      if (!receiverWords.some((word) => STORE_RECEIVER_WORDS.has(word)) && receiverWords.some((word) => REMOTE_RECEIVER_WORDS.has(word))) {
        return true;
      }
    }
  }
  const first = call.arguments[0];
  const text =
    first?.type === AST_NODE_TYPES.Literal && typeof first.value === 'string'
      ? first.value
      : first?.type === AST_NODE_TYPES.TemplateLiteral
        ? (first.quasis[0]?.value.cooked ?? '')
        : undefined;
  return text !== undefined && /^(?:https?:\/\/|\/)/.test(text);
}

/** Calls of well-known side-effect-free functions, by their dotted path. */
const PURE_FUNCTIONS = new Set([
  'JSON.parse',
  'JSON.stringify',
  'String',
  'Number',
  'Boolean',
  'parseInt',
  'parseFloat',
  'Object.keys',
  'Object.values',
  'Object.entries',
  'Array.isArray',
  'Promise.all',
  'Promise.allSettled',
  'console.log',
  'console.debug',
  'console.info',
  'console.warn',
  'console.error',
]);
const PURE_NAMESPACES = new Set(['Math']);

/** The words of an identifier: `findOneAndUpdate` → find, one, and, update; `hgetall` → hgetall. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z]+/)
    .filter((word) => word !== '')
    .map((word) => word.toLowerCase());
}

interface Vocabulary {
  isRead(name: string): boolean;
}

function vocabulary(options: Options[0]): Vocabulary {
  const useDefaults = options.useDefaultVocabulary !== false;
  const reads = [...(useDefaults ? DEFAULT_READ_METHODS : []), ...(options.readMethods ?? [])];
  const writes = new Set([...(useDefaults ? DEFAULT_WRITE_WORDS : []), ...(options.writeWords ?? [])].map((word) => word.toLowerCase()));
  const exact = new Set(reads.filter((read) => !read.endsWith('*')));
  const prefixes = reads.filter((read) => read.endsWith('*')).map((read) => read.slice(0, -1));
  return {
    isRead(name) {
      const matches =
        exact.has(name) ||
        prefixes.some((prefix) => {
          if (!name.startsWith(prefix)) return false;
          // A prefix only matches whole words: `list` matches `listKeys` and `list_all`, not `listen`.
          const next = name.charAt(prefix.length);
          return next === '' || !/[a-z]/.test(next);
        });
      if (!matches) return false;
      // The first word is the read verb itself (`get`, `find`); any other write word makes it a write.
      return !words(name).slice(1).some((word) => writes.has(word)) && !writes.has(name.toLowerCase());
    },
  };
}

/** The dotted path of a callee (`JSON.parse`, `this.cache.get` → `this.cache.get`), if it is one. */
function calleePath(callee: TSESTree.Node): string | undefined {
  const node = skipTypeWrappers(callee);
  if (node.type === AST_NODE_TYPES.Identifier) return node.name;
  if (node.type === AST_NODE_TYPES.ThisExpression) return 'this';
  if (node.type === AST_NODE_TYPES.MemberExpression && !node.computed && node.property.type === AST_NODE_TYPES.Identifier) {
    const object = calleePath(node.object);
    return object === undefined ? undefined : `${object}.${node.property.name}`;
  }
  return undefined;
}

/** The method or function name a call is made by (`cache.get(k)` → `get`), when static. */
function calledName(callee: TSESTree.Node): string | undefined {
  const node = skipTypeWrappers(callee);
  if (node.type === AST_NODE_TYPES.Identifier) return node.name;
  if (node.type !== AST_NODE_TYPES.MemberExpression) return undefined;
  if (!node.computed) return node.property.type === AST_NODE_TYPES.Identifier ? node.property.name : undefined;
  return node.property.type === AST_NODE_TYPES.Literal && typeof node.property.value === 'string' ? node.property.value : undefined;
}

function isPureFunction(callee: TSESTree.Node): boolean {
  const path = calleePath(callee);
  if (path === undefined) return false;
  if (PURE_FUNCTIONS.has(path)) return true;
  const [namespace, member, ...rest] = path.split('.');
  return namespace !== undefined && PURE_NAMESPACES.has(namespace) && member !== undefined && rest.length === 0;
}

interface Verdict {
  /** The read calls found (callee source), when the section only reads. */
  readonly reads: string[];
}

/**
 * Whether every node of `body` only reads. Conservative: anything not known to be a read (an unknown call,
 * `new`, an assignment to something declared outside the section, `++`, `delete`, `yield`, awaiting a value
 * that is not a call) makes the section "not pure", and so not reported.
 */
function onlyReads(
  body: readonly TSESTree.Node[],
  acquisition: Acquisition,
  analysis: LockAnalysis,
  sourceCode: Readonly<TSESLint.SourceCode>,
  reads: Vocabulary,
): Verdict | undefined {
  const found: string[] = [];
  const visitorKeys = sourceCode.visitorKeys as Readonly<Record<string, readonly string[] | undefined>>;

  const declaredInside = (identifier: TSESTree.Identifier): boolean => {
    const variable = ASTUtils.findVariable(sourceCode.getScope(identifier), identifier);
    return variable !== null && variable.defs.length > 0 && variable.defs.every((def) => body.some((node) => contains(node, def.name)));
  };

  // False as soon as the node is not a pure read; `'skip'`: a pure read whose inside needs no look.
  const isPureRead = (node: TSESTree.Node): boolean | 'skip' => {
    switch (node.type) {
      case AST_NODE_TYPES.CallExpression: {
        const lockCall = analysis.callOf(node);
        if (lockCall) {
          // Releasing the section's own lock is the section's bookkeeping; any other lock operation is not a read.
          const ownRelease = lockCall.method === 'release' && analysis.sameLock(lockCall.lock, acquisition.lock);
          return ownRelease ? 'skip' : false;
        }
        if (!isPureFunction(node.callee)) {
          const name = calledName(node.callee);
          if (name === undefined || !reads.isRead(name) || notReallyRead(node)) return false;
          found.push(sourceCode.getText(node.callee));
        }
        break;
      }
      case AST_NODE_TYPES.NewExpression:
      case AST_NODE_TYPES.UpdateExpression:
      case AST_NODE_TYPES.YieldExpression:
      case AST_NODE_TYPES.TaggedTemplateExpression:
      case AST_NODE_TYPES.ImportExpression:
      case AST_NODE_TYPES.ClassDeclaration:
      case AST_NODE_TYPES.ClassExpression:
        return false;
      case AST_NODE_TYPES.UnaryExpression:
        if (node.operator === 'delete') return false;
        break;
      case AST_NODE_TYPES.AwaitExpression: {
        // Awaiting something started elsewhere (a promise in a variable) hides what it does.
        const awaited = skipTypeWrappers(node.argument);
        const call = awaited.type === AST_NODE_TYPES.ChainExpression ? awaited.expression : awaited;
        if (call.type !== AST_NODE_TYPES.CallExpression) return false;
        break;
      }
      case AST_NODE_TYPES.ForOfStatement:
        if (node.await) return false;
        break;
      case AST_NODE_TYPES.AssignmentExpression: {
        const target = skipTypeWrappers(node.left);
        if (target.type !== AST_NODE_TYPES.Identifier || !declaredInside(target)) return false;
        break;
      }
      default:
        break;
    }
    return true;
  };

  for (const node of body) if (!everyNode(node, visitorKeys, isPureRead)) return undefined;
  return found.length > 0 ? { reads: found } : undefined;
}

export default createRule<Options, MessageIds>({
  name: 'no-lock-around-read',
  meta: {
    type: 'suggestion',
    docs: {
      description: 'Disallow locks around critical sections that only read',
      recommended: 'recommended',
    },
    schema: [
      {
        type: 'object',
        properties: {
          readMethods: {
            type: 'array',
            items: { type: 'string' },
            description: 'More method names that only read; `name*` also matches names continuing with a new word.',
          },
          writeWords: {
            type: 'array',
            items: { type: 'string' },
            description: 'More words that make a read-looking method name a write (`findAndMark` with `mark`).',
          },
          useDefaultVocabulary: {
            type: 'boolean',
            description: 'Whether the built-in read methods and write words apply (default true).',
          },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ readMethods: [], writeWords: [], useDefaultVocabulary: true }],
    messages: {
      lockAroundRead:
        'This lock guards only reads ({{reads}}). Reads do not conflict with each other, so the lock only serializes readers and adds a wait: read without it.',
    },
  },
  create(context, [options]) {
    const reads = vocabulary(options);
    return {
      'Program:exit'() {
        const analysis = getLockAnalysis(context);
        for (const acquisition of analysis.acquisitions) {
          const section = analysis.criticalSection(acquisition);
          if (!section || section.body.length === 0) continue;
          const verdict = onlyReads(section.body, acquisition, analysis, context.sourceCode, reads);
          if (!verdict) continue;
          context.report({
            loc: methodCallLoc(acquisition.call),
            messageId: 'lockAroundRead',
            data: { reads: [...new Set(verdict.reads)].slice(0, 3).join(', ') },
          });
        }
      },
    };
  },
});
