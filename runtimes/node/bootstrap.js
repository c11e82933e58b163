#!/usr/bin/env node
'use strict';

// Entry point of Swiftlet's Node.js runtime: `node bootstrap.js`, started in
// LAMBDA_TASK_ROOT with AWS_LAMBDA_RUNTIME_API and _HANDLER set. See README.md.
require('./lib/runtime.js').start();
