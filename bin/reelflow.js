#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx reelflow` works without a build step.
require('tsx/cjs');
void require('../src/client.ts').runCli(process.argv);
