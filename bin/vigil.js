#!/usr/bin/env node
// The `vigil` program. Vigil runs from its TypeScript sources through tsx's loader,
// so a fresh checkout needs only `npm install` (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
