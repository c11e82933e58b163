'use strict';

// Failures before the first invocation: reported to /init/error, then the process exits non-zero.

const test = require('node:test');
const assert = require('node:assert/strict');
const { launch } = require('./fake-runtime-api.js');

/** Starts a function that is expected to fail init; returns the single init error and the exit status. */
async function failInit(t, options) {
  const fn = await launch({ events: [{ body: {} }], ...options });
  t.after(() => fn.stop());
  const { code } = await fn.waitForExit();
  assert.equal(fn.api.initErrors.length, 1, `one init error, stderr: ${fn.stderr}`);
  assert.equal(fn.api.nextRequestTimes.length, 0, 'no event is asked for after a failed init');
  const [initError] = fn.api.initErrors;
  assert.equal(initError.headers['lambda-runtime-function-error-type'], initError.error.errorType);
  return { fn, code, error: initError.error };
}

test('a missing module is Runtime.ImportModuleError', async (t) => {
  const { fn, code, error } = await failInit(t, { files: { 'other.js': '' }, handler: 'index.handler' });
  assert.equal(code, 129);
  assert.equal(error.errorType, 'Runtime.ImportModuleError');
  assert.match(error.errorMessage, /^Error: Cannot find module 'index'/);
  const logged = fn.logRecords().find((r) => r.level === 'ERROR');
  assert.equal(logged.requestId, 'undefined');
  assert.match(logged.message, /Runtime\.ImportModuleError/);
});

test('a missing dependency of the user module is Runtime.ImportModuleError', async (t) => {
  const { error } = await failInit(t, {
    files: { 'index.js': 'require("left-pad");\nexports.handler = async () => 1;' },
  });
  assert.equal(error.errorType, 'Runtime.ImportModuleError');
  assert.match(error.errorMessage, /^Error: Cannot find module 'left-pad'/);
});

test('a missing export is Runtime.HandlerNotFound', async (t) => {
  const { error } = await failInit(t, {
    files: { 'index.js': 'exports.handler = async () => 1;' },
    handler: 'index.nope',
  });
  assert.equal(error.errorType, 'Runtime.HandlerNotFound');
  assert.equal(error.errorMessage, 'index.nope is undefined or not exported');
});

test('an export that is not a function is Runtime.HandlerNotFound', async (t) => {
  const { error } = await failInit(t, { files: { 'index.js': 'exports.config = { a: 1 };' }, handler: 'index.config' });
  assert.equal(error.errorType, 'Runtime.HandlerNotFound');
  assert.equal(error.errorMessage, 'index.config is not a function');
});

test('a syntax error in CommonJS code is Runtime.UserCodeSyntaxError', async (t) => {
  const { error } = await failInit(t, { files: { 'index.js': 'exports.handler = async () => {\n  return 1;\n}}' } });
  assert.equal(error.errorType, 'Runtime.UserCodeSyntaxError');
  assert.match(error.errorMessage, /^SyntaxError: /);
  assert.match(error.trace[0], /^Runtime\.UserCodeSyntaxError: SyntaxError: /);
});

test('a syntax error in an ES module is Runtime.UserCodeSyntaxError', async (t) => {
  const { error } = await failInit(t, {
    files: { 'index.mjs': 'export const handler = async () => { return 1 +; };' },
  });
  assert.equal(error.errorType, 'Runtime.UserCodeSyntaxError');
  assert.match(error.errorMessage, /^SyntaxError: /);
});

test('a handler string without an export is Runtime.MalformedHandlerName', async (t) => {
  const { error } = await failInit(t, { files: { 'index.js': '' }, handler: 'index' });
  assert.deepEqual([error.errorType, error.errorMessage], ['Runtime.MalformedHandlerName', 'Bad handler']);
});

test('a handler string that climbs out of the task root is Runtime.MalformedHandlerName', async (t) => {
  const { error } = await failInit(t, { files: { 'index.js': '' }, handler: '../outside/index.handler' });
  assert.equal(error.errorType, 'Runtime.MalformedHandlerName');
});

test('an exception at module top level is reported with its own type', async (t) => {
  const { code, error } = await failInit(t, {
    files: {
      'index.js': `class ConfigError extends Error { get name() { return 'ConfigError'; } }
        throw new ConfigError('DB_URL is not set');`,
    },
  });
  assert.equal(code, 129);
  assert.deepEqual([error.errorType, error.errorMessage], ['ConfigError', 'DB_URL is not set']);
});

test('a rejected top-level await in an ES module is reported with its own type', async (t) => {
  const { error } = await failInit(t, {
    files: { 'index.mjs': 'await Promise.reject(new TypeError("bad config"));\nexport const handler = async () => 1;' },
  });
  assert.deepEqual([error.errorType, error.errorMessage], ['TypeError', 'bad config']);
});

test('an unreachable Runtime API ends the process with status 1 and a message on stderr', async (t) => {
  const fn = await launch({ files: { 'index.js': 'exports.handler = async () => 1;' }, runtimeApi: '127.0.0.1:1' });
  t.after(() => fn.stop());
  const { code } = await fn.waitForExit();
  assert.equal(code, 1);
  assert.match(fn.stderr, /swiftlet node runtime: .*127\.0\.0\.1:1.*ECONNREFUSED/);
});

test('a missing AWS_LAMBDA_RUNTIME_API ends the process with status 1 and a message on stderr', async (t) => {
  const fn = await launch({ files: { 'index.js': 'exports.handler = async () => 1;' }, runtimeApi: '' });
  t.after(() => fn.stop());
  const { code } = await fn.waitForExit();
  assert.equal(code, 1);
  assert.match(fn.stderr, /AWS_LAMBDA_RUNTIME_API is not set/);
});
