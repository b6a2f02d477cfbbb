#!/usr/bin/env node
// `locksmith lint`: filled by the rules issues.
export {};
