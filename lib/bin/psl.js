#!/usr/bin/env node
// `psl` launcher: runs the TypeScript sources through tsx, so `npx psl` works straight after `npm ci`
// and can never run a stale build (lib/dist is only for the notebooks' typed imports).
"use strict";
require("tsx/cjs");
const { main } = require("../cli/index.ts");
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
