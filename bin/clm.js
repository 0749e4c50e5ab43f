#!/usr/bin/env node
// The `clm` command. Sources are TypeScript; tsx loads them so `npx clm` works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/clm.ts');
process.exitCode = await main(process.argv.slice(2));
