// The typed RuleTester cases of require-release-in-finally lint this file's path with their own code.
export {};
