/** ioredis clients for the benchmark: one place that knows the connection options every subject shares. */
import { Redis } from 'ioredis';

/** Connects to `url` and waits until the connection is ready, so no metric measures connection set-up. */
export async function connect(url: string, name = 'bench'): Promise<Redis> {
  const redis = new Redis(url, { connectionName: name, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  return redis;
}

/** The installed version of a dependency, read from its package.json. */
export async function installedVersion(pkg: string): Promise<string> {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const { readFileSync } = await import('node:fs');
  const { dirname, join } = await import('node:path');
  // Resolve the main entry, then walk up to the package.json that names the package.
  let dir = dirname(require.resolve(pkg));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === pkg && manifest.version) return `${pkg}@${manifest.version.replace(/^v/, '')}`;
    } catch {
      // no package.json here: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) return `${pkg}@unknown`;
    dir = parent;
  }
}
