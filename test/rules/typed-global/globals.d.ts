// Globals typed by locksmith: a script file can use them with no import at all (test/rules/fast-path.test.ts).
declare const appLocks: import('locksmith-js').LockManager;
declare const heldLock: import('locksmith-js').Lock;
