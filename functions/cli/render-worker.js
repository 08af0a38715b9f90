// A RenderPool thread. Plain JavaScript so the worker can start on Node 20, which runs no TypeScript:
// it registers tsx's loader for this thread (loaders are per thread), then loads the real module.
import { register } from 'tsx/esm/api';

register();
await import('./render-worker-main.ts');
