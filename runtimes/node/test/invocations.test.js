'use strict';

// Successful invocations: handler styles, module formats, the context object and payloads.

const test = require('node:test');
const assert = require('node:assert/strict');
const { launch, FUNCTION_ARN } = require('./fake-runtime-api.js');

async function start(t, options) {
  const fn = await launch(options);
  t.after(() => fn.stop());
  return fn;
}

const responsesOf = (fn) => fn.api.responses.map((r) => JSON.parse(r.body));
const gotResponses = (n) => (api) => api.responses.length + api.errors.length >= n;

test('an async handler result is posted as JSON with a JSON content type', async (t) => {
  const fn = await start(t, {
    files: { 'index.js': 'exports.handler = async (event) => ({ echo: event, ok: true });' },
    events: [{ body: { a: 1 } }],
  });
  await fn.api.waitFor(gotResponses(1), 'one response');
  const [response] = fn.api.responses;
  assert.equal(response.requestId, fn.requestIds[0]);
  assert.equal(response.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(response.body), { echo: { a: 1 }, ok: true });
});

test('an undefined result is posted as null', async (t) => {
  const fn = await start(t, {
    files: { 'index.js': 'exports.handler = async () => undefined;' },
    events: [{ body: {} }],
  });
  await fn.api.waitFor(gotResponses(1), 'one response');
  assert.equal(fn.api.responses[0].body, 'null');
});

test('a callback handler posts the value passed to the callback', async (t) => {
  const fn = await start(t, {
    files: {
      'index.js': `exports.handler = (event, context, callback) => {
        setTimeout(() => callback(null, { got: event.n }), 5);
      };`,
    },
    events: [{ body: { n: 7 } }],
  });
  await fn.api.waitFor(gotResponses(1), 'one response');
  assert.deepEqual(responsesOf(fn), [{ got: 7 }]);
});

test('a callback response waits for the event loop to empty by default', async (t) => {
  const fn = await start(t, {
    files: {
      'index.js': `exports.handler = (event, context, callback) => {
        callback(null, 'early');
        setTimeout(() => console.log('timer done'), 200);
      };`,
    },
    events: [{ body: {} }],
  });
  await fn.api.waitFor(gotResponses(1), 'one response');
  assert.deepEqual(responsesOf(fn), ['early']);
  assert.match(fn.stdout, /timer done/, 'the timer ran before the response was sent');
});

test('with callbackWaitsForEmptyEventLoop false the callback response is sent at once', async (t) => {
  const fn = await start(t, {
    files: {
      'index.js': `exports.handler = (event, context, callback) => {
        context.callbackWaitsForEmptyEventLoop = false;
        setTimeout(() => console.log('timer done'), 300);
        callback(null, 'now');
      };`,
    },
    events: [{ body: {} }],
  });
  await fn.api.waitFor(gotResponses(1), 'one response');
  assert.deepEqual(responsesOf(fn), ['now']);
  assert.doesNotMatch(fn.stdout, /timer done/, 'the response did not wait for the timer');
});

test('when a handler both calls the callback and returns a promise, the first outcome wins', async (t) => {
  const fn = await start(t, {
    files: {
      'index.js': `exports.handler = async (event, context, callback) => {
        if (event.callbackFirst) { callback(null, 'from callback'); return 'from promise'; }
        setTimeout(() => callback(null, 'from callback'), 50);
        return 'from promise';
      };`,
    },
    events: [{ body: { callbackFirst: true } }, { body: { callbackFirst: false } }],
  });
  await fn.api.waitFor(gotResponses(2), 'two responses');
  assert.deepEqual(responsesOf(fn), ['from callback', 'from promise']);
  assert.equal(fn.api.errors.length, 0);
});

test('context.succeed, context.done and context.fail report like the callback, without waiting', async (t) => {
  const fn = await start(t, {
    files: {
      'index.js': `exports.handler = (event, context) => {
        setTimeout(() => {}, 300);
        if (event.use === 'succeed') context.succeed({ via: 'succeed' });
        if (event.use === 'done') context.done(null, { via: 'done' });
        if (event.use === 'fail') context.fail(new TypeError('via fail'));
      };`,
    },
    events: [{ body: { use: 'succeed' } }, { body: { use: 'done' } }, { body: { use: 'fail' } }],
  });
  await fn.api.waitFor(gotResponses(3), 'three outcomes');
  assert.deepEqual(responsesOf(fn), [{ via: 'succeed' }, { via: 'done' }]);
  assert.equal(fn.api.errors[0].error.errorType, 'TypeError');
  assert.equal(fn.api.errors[0].error.errorMessage, 'via fail');
  // Nothing waited for the 300 ms timers of the three invocations.
  assert.ok(fn.api.errors[0].at - fn.api.nextRequestTimes[0] < 300, 'outcomes did not wait for timers');
});

test('a synchronous handler that never answers succeeds with null once the event loop is empty', async (t) => {
  const fn = await start(t, {
    files: { 'index.js': 'exports.handler = (event) => { return "ignored"; };' },
    events: [{ body: {} }],
  });
  await fn.api.waitFor(gotResponses(1), 'one response');
  assert.equal(fn.api.responses[0].body, 'null');
});

test('an async handler whose promise never settles fails with Runtime.NodeJsExit', async (t) => {
  const fn = await start(t, {
    files: { 'index.js': 'exports.handler = async () => new Promise(() => {});' },
    events: [{ body: {} }],
  });
  await fn.api.waitFor(gotResponses(1), 'one error');
  assert.equal(fn.api.errors[0].error.errorType, 'Runtime.NodeJsExit');
});

test('an ES module handler in a .mjs file is loaded through import()', async (t) => {
  const fn = await start(t, {
    files: { 'app.mjs': 'export const handler = async (event) => ({ esm: typeof require === "undefined", event });' },
    handler: 'app.handler',
    events: [{ body: ['hello'] }],
  });
  await fn.api.waitFor(gotResponses(1), 'one response');
  assert.deepEqual(responsesOf(fn), [{ esm: true, event: ['hello'] }]);
});

test('a .js handler is an ES module when package.json says "type": "module"', async (t) => {
  const fn = await start(t, {
    files: {
      'package.json': '{"type": "module"}',
      'index.js': 'const answer = await Promise.resolve(42);\nexport const handler = async () => ({ answer });',
    },
    events: [{ body: {} }],
  });
  await fn.api.waitFor(gotResponses(1), 'one response');
  assert.deepEqual(responsesOf(fn), [{ answer: 42 }]);
});

test('a .cjs handler in a subfolder is found from a handler string with a folder', async (t) => {
  const fn = await start(t, {
    files: { 'src/lambda/app.cjs': 'module.exports.main = async () => "from src";' },
    handler: 'src/lambda/app.main',
    events: [{ body: {} }],
  });
  await fn.api.waitFor(gotResponses(1), 'one response');
  assert.deepEqual(responsesOf(fn), ['from src']);
});

test('a nested export path a.b.c reaches the handler', async (t) => {
  const fn = await start(t, {
    files: { 'index.js': 'exports.api = { v1: { get: async () => "nested" } };' },
    handler: 'index.api.v1.get',
    events: [{ body: {} }],
  });
  await fn.api.waitFor(gotResponses(1), 'one response');
  assert.deepEqual(responsesOf(fn), ['nested']);
});

test('modules on NODE_PATH (layers) and in node_modules are found', async (t) => {
  const fn = await start(t, {
    files: {
      'layer/nodejs/node_modules/shared-lib/index.js': 'exports.greet = (name) => `hello ${name}`;',
      'node_modules/handler-pkg/index.js':
        'exports.handler = async (event) => require("shared-lib").greet(event.name);',
    },
    handler: 'handler-pkg.handler',
    env: { NODE_PATH: '/nonexistent/node_modules:' + '{taskRoot}/layer/nodejs/node_modules' },
    events: [{ body: { name: 'layer' } }],
  });
  await fn.api.waitFor(gotResponses(1), 'one response');
  assert.deepEqual(responsesOf(fn), ['hello layer']);
});

test('the context carries the function, invocation and identity fields', async (t) => {
  const fn = await start(t, {
    files: {
      'index.js': `exports.handler = async (event, context) => {
        const first = context.getRemainingTimeInMillis();
        await new Promise((resolve) => setTimeout(resolve, 30));
        const second = context.getRemainingTimeInMillis();
        const { getRemainingTimeInMillis, succeed, fail, done, ...fields } = context;
        return { fields, first, second, trace: process.env._X_AMZN_TRACE_ID ?? null,
          functions: [typeof getRemainingTimeInMillis, typeof succeed, typeof fail, typeof done] };
      };`,
    },
    events: [
      {
        body: {},
        requestId: 'abc-123',
        deadlineMs: Date.now() + 10_000,
        traceId: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
        clientContext: { client: { app_title: 'demo' }, custom: { k: 'v' }, env: {} },
        identity: { cognitoIdentityId: 'id-1', cognitoIdentityPoolId: 'pool-1' },
      },
      { body: {} },
    ],
  });
  await fn.api.waitFor(gotResponses(2), 'two responses');
  const [first, second] = responsesOf(fn);

  assert.deepEqual(first.fields, {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'test-fn',
    functionVersion: '$LATEST',
    memoryLimitInMB: '128',
    logGroupName: '/aws/lambda/test-fn',
    logStreamName: '2024/01/01/[$LATEST]0123456789abcdef',
    clientContext: { client: { app_title: 'demo' }, custom: { k: 'v' }, env: {} },
    identity: { cognitoIdentityId: 'id-1', cognitoIdentityPoolId: 'pool-1' },
    invokedFunctionArn: FUNCTION_ARN,
    awsRequestId: 'abc-123',
  });
  assert.deepEqual(first.functions, ['function', 'function', 'function', 'function']);
  assert.ok(first.first > 9_000 && first.first <= 10_000, `remaining time ${first.first}`);
  assert.ok(first.second <= first.first - 25, `remaining time decreases: ${first.first} then ${first.second}`);
  assert.equal(first.trace, 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1');

  assert.equal(second.trace, null, 'the trace id does not leak into an invocation without one');
  assert.equal(second.fields.clientContext, undefined);
  assert.equal(second.fields.identity, undefined);
});

test('two invocations in a row are served by one process, keeping module state', async (t) => {
  const fn = await start(t, {
    files: { 'index.js': 'let count = 0;\nexports.handler = async () => ({ count: ++count, pid: process.pid });' },
    events: [{ body: {} }, { body: {} }],
  });
  await fn.api.waitFor(gotResponses(2), 'two responses');
  const [first, second] = responsesOf(fn);
  assert.deepEqual([first.count, second.count], [1, 2]);
  assert.equal(first.pid, second.pid);
  assert.deepEqual(fn.api.responses.map((r) => r.requestId), fn.requestIds);
  await fn.api.waitFor((api) => api.nextRequestTimes.length === 3, 'the third next request');
});

test('a 5 MB payload is echoed intact', async (t) => {
  const big = 'x'.repeat(5 * 1024 * 1024 - 64) + 'é✓';
  const fn = await start(t, {
    files: { 'index.js': 'exports.handler = async (event) => event;' },
    events: [{ body: { big } }],
  });
  await fn.api.waitFor(gotResponses(1), 'one response', 10_000);
  const echoed = JSON.parse(fn.api.responses[0].body);
  assert.equal(echoed.big.length, big.length);
  assert.equal(echoed.big, big);
});
