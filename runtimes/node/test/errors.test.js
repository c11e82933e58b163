'use strict';

// Failed invocations: what is posted to /invocation/{id}/error, what is logged, and when the process exits.

const test = require('node:test');
const assert = require('node:assert/strict');
const { launch } = require('./fake-runtime-api.js');

async function start(t, options) {
  const fn = await launch(options);
  t.after(() => fn.stop());
  return fn;
}

const gotOutcomes = (n) => (api) => api.responses.length + api.errors.length >= n;

test('a thrown Error is posted with its type, message, stack trace and the error-type header', async (t) => {
  const fn = await start(t, {
    files: { 'index.js': 'exports.handler = async () => { throw new Error("boom"); };' },
    events: [{ body: {} }],
  });
  await fn.api.waitFor(gotOutcomes(1), 'one error');
  const [posted] = fn.api.errors;
  assert.equal(posted.requestId, fn.requestIds[0]);
  assert.equal(posted.headers['lambda-runtime-function-error-type'], 'Error');
  assert.equal(posted.headers['content-type'], 'application/json');
  assert.equal(posted.error.errorType, 'Error');
  assert.equal(posted.error.errorMessage, 'boom');
  assert.equal(posted.error.trace[0], 'Error: boom');
  assert.match(posted.error.trace[1], /^ {4}at .*index\.js:1:/);
  assert.equal(fn.api.responses.length, 0);

  await fn.api.waitFor((api) => /Invoke Error/.test(fn.stdout), 'the Invoke Error log line');
  const logged = fn.logRecords().find((r) => r.message?.startsWith('Invoke Error'));
  assert.equal(logged.level, 'ERROR');
  assert.equal(logged.requestId, fn.requestIds[0]);
  assert.deepEqual(JSON.parse(logged.message.slice(logged.message.indexOf('{'))).errorMessage, 'boom');
});

test('built-in and custom error classes report their name as errorType', async (t) => {
  const fn = await start(t, {
    files: {
      'index.js': `class NotFound extends Error { constructor(m) { super(m); this.name = 'NotFound'; } }
        exports.handler = async (event) => {
          if (event.kind === 'type') return undefined.property;
          throw new NotFound('no such item');
        };`,
    },
    events: [{ body: { kind: 'type' } }, { body: { kind: 'custom' } }],
  });
  await fn.api.waitFor(gotOutcomes(2), 'two errors');
  const [typeError, custom] = fn.api.errors.map((e) => e.error);
  assert.equal(typeError.errorType, 'TypeError');
  assert.match(typeError.errorMessage, /Cannot read properties of undefined/);
  assert.equal(custom.errorType, 'NotFound');
  assert.equal(custom.errorMessage, 'no such item');
  assert.equal(fn.api.errors[1].headers['lambda-runtime-function-error-type'], 'NotFound');
});

test('thrown values that are not errors are typed by typeof, with an empty trace', async (t) => {
  const fn = await start(t, {
    files: {
      'index.js': `exports.handler = (event, context, callback) => {
        if (event.how === 'string') return Promise.reject('plain string');
        if (event.how === 'number') throw 42;
        if (event.how === 'callback') return callback({ code: 'E1' });
        return Promise.reject();
      };`,
    },
    events: ['string', 'number', 'callback', 'nothing'].map((how) => ({ body: { how } })),
  });
  await fn.api.waitFor(gotOutcomes(4), 'four errors');
  assert.deepEqual(
    fn.api.errors.map((e) => e.error),
    [
      { errorType: 'string', errorMessage: 'plain string', trace: [] },
      { errorType: 'number', errorMessage: '42', trace: [] },
      { errorType: 'object', errorMessage: '[object Object]', trace: [] },
      { errorType: 'string', errorMessage: 'handled', trace: [] },
    ],
  );
});

test('a callback error is reported at once, even when waiting for the event loop', async (t) => {
  const fn = await start(t, {
    files: {
      'index.js': `exports.handler = (event, context, callback) => {
        setTimeout(() => console.log('timer done'), 300);
        callback(new RangeError('out of range'));
      };`,
    },
    events: [{ body: {} }],
  });
  await fn.api.waitFor(gotOutcomes(1), 'one error');
  assert.equal(fn.api.errors[0].error.errorType, 'RangeError');
  assert.doesNotMatch(fn.stdout, /timer done/);
});

test('a result that cannot be serialized is reported as an error', async (t) => {
  const fn = await start(t, {
    files: { 'index.js': 'exports.handler = async () => { const loop = {}; loop.self = loop; return loop; };' },
    events: [{ body: {} }, { body: {} }],
  });
  await fn.api.waitFor(gotOutcomes(2), 'two errors');
  assert.equal(fn.api.responses.length, 0);
  assert.equal(fn.api.errors[0].error.errorType, 'Error');
  assert.equal(fn.api.errors[0].error.errorMessage, 'Unable to stringify response body');
});

test('an event body that is not JSON fails the invocation with a SyntaxError', async (t) => {
  const fn = await start(t, {
    files: { 'index.js': 'exports.handler = async (event) => event;' },
    events: [{ body: 'not json' }, { body: { fine: true } }],
  });
  await fn.api.waitFor(gotOutcomes(2), 'two outcomes');
  assert.equal(fn.api.errors[0].error.errorType, 'SyntaxError');
  assert.deepEqual(JSON.parse(fn.api.responses[0].body), { fine: true });
});

test('an unhandled rejection fails the invocation as Runtime.UnhandledPromiseRejection, exit 128', async (t) => {
  const fn = await start(t, {
    files: {
      'index.js': `exports.handler = (event, context, callback) => {
        Promise.reject(new Error('nobody caught me'));
        setTimeout(() => callback(null, 'too late'), 500);
      };`,
    },
    events: [{ body: {} }],
  });
  const { code } = await fn.waitForExit();
  assert.equal(code, 128);
  assert.equal(fn.api.responses.length, 0);
  const [posted] = fn.api.errors;
  assert.equal(posted.requestId, fn.requestIds[0]);
  assert.equal(posted.error.errorType, 'Runtime.UnhandledPromiseRejection');
  assert.equal(posted.error.errorMessage, 'Error: nobody caught me');
  assert.equal(posted.error.trace[0], 'Runtime.UnhandledPromiseRejection: Error: nobody caught me');
  assert.equal(posted.headers['lambda-runtime-function-error-type'], 'Runtime.UnhandledPromiseRejection');

  const logged = fn.logRecords().find((r) => r.message?.startsWith('Unhandled Promise Rejection'));
  assert.equal(logged.level, 'ERROR');
  assert.equal(logged.requestId, fn.requestIds[0]);
});

test('an unhandled rejection with a non-error reason carries the reason as message', async (t) => {
  const fn = await start(t, {
    files: {
      'index.js': `exports.handler = async () => {
        Promise.reject('just a string');
        await new Promise((resolve) => setTimeout(resolve, 500));
      };`,
    },
    events: [{ body: {} }],
  });
  const { code } = await fn.waitForExit();
  assert.equal(code, 128);
  assert.equal(fn.api.errors[0].error.errorType, 'Runtime.UnhandledPromiseRejection');
  assert.equal(fn.api.errors[0].error.errorMessage, 'just a string');
});

test('an uncaught exception fails the invocation with its own type and exits with 129', async (t) => {
  const fn = await start(t, {
    files: {
      'index.js': `exports.handler = (event, context, callback) => {
        setTimeout(() => { throw new RangeError('thrown from a timer'); }, 5);
      };`,
    },
    events: [{ body: {} }],
  });
  const { code } = await fn.waitForExit();
  assert.equal(code, 129);
  assert.equal(fn.api.errors[0].error.errorType, 'RangeError');
  assert.equal(fn.api.errors[0].error.errorMessage, 'thrown from a timer');
  assert.ok(fn.logRecords().some((r) => r.level === 'ERROR' && r.message.startsWith('Uncaught Exception')));
});

test('losing the Runtime API while waiting for an event ends the process with status 1', async (t) => {
  const fn = await start(t, {
    files: { 'index.js': 'exports.handler = async () => "ok";' },
    events: [{ body: {} }],
  });
  const waitingForSecondEvent = (api) => api.responses.length === 1 && api.heldNextRequests.length === 1;
  await fn.api.waitFor(waitingForSecondEvent, 'the second next request');
  await fn.api.close();
  const { code } = await fn.waitForExit();
  assert.equal(code, 1);
  assert.match(fn.stderr, /^swiftlet node runtime: GET \/2018-06-01\/runtime\/invocation\/next/m);
});
