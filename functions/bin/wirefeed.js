#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { register } from 'tsx/esm/api';

// V8 lets the heap grow to up to four times what was live at its last full collection before the next one. A
// full rebuild's batches are garbage within moments, so its peak memory was mostly that room (past 700 MB at
// 100,000 articles; with the heap capped at 300 MB the same build ran near 400 MB). Growing by half at most
// holds it near 400 MB for about 15% more CPU in collections and no more wall time (the render threads bound
// it). The collector reads the factor at each collection: set here, before any work.
setFlagsFromString('--heap-growing-percent=50');
// Node 20 does not run TypeScript: tsx's loader lets the bin run the sources directly.
register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
