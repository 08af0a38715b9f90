#!/usr/bin/env node
// Node 20 does not run TypeScript: tsx's loader lets the bin run the sources directly.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
