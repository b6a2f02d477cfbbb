#!/usr/bin/env node
/**
 * The `locksmith` command. `locksmith lint [paths…]` lints with the locksmith ESLint plugin; exit codes:
 * 0 clean, 1 findings (errors, or more warnings than `--max-warnings`), 2 bad usage or setup.
 */
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2));
