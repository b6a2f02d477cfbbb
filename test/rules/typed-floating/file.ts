// The typed RuleTester cases of no-floating-lock-call and no-unchecked-get lint this file's path with their own code.
export {};
