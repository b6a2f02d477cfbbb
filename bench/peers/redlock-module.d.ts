// redlock 5.0.0-beta.2 ships types, but its package.json `exports` has no `types` condition, so NodeNext
// resolution cannot see them. This declares the part the benchmark uses.
declare module 'redlock' {
  export default class Redlock {
    constructor(clients: Iterable<unknown>, settings?: Record<string, number>);
    on(event: 'error', listener: (error: unknown) => void): this;
    acquire(resources: string[], duration: number): Promise<{ release(): Promise<unknown> }>;
  }
}
