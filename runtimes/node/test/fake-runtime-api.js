'use strict';

/**
 * A fake Lambda Runtime API for the tests, plus `launch`, which starts
 * bootstrap.js against it in a temporary task root. The fake serves queued
 * events to `next` (holding the request while the queue is empty, as the real
 * API does) and records every response, invocation error and init error.
 *
 * The test runner treats every .js file under test/ as a test file; run on its
 * own, this file checks the fake itself.
 */

const http = require('node:http');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { EventEmitter } = require('node:events');

const BOOTSTRAP = path.resolve(__dirname, '..', 'bootstrap.js');
const PREFIX = '/2018-06-01/runtime';
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:test-fn';

class FakeRuntimeApi extends EventEmitter {
  constructor() {
    super();
    this.queue = [];
    this.heldNextRequests = [];
    this.nextRequestTimes = [];
    this.responses = [];
    this.errors = [];
    this.initErrors = [];
    this.issued = 0;
    this.server = http.createServer((req, res) => this.route(req, res));
    this.server.keepAliveTimeout = 60_000;
  }

  /** Listens on 127.0.0.1 on a free port; `address` is then the AWS_LAMBDA_RUNTIME_API value. */
  async start() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.address = `127.0.0.1:${this.server.address().port}`;
    return this;
  }

  /**
   * Queues an event. `body` is JSON-encoded unless it is a string or Buffer already.
   * @returns {string} the request id it will carry
   */
  enqueue({ body = {}, requestId, deadlineMs, traceId, clientContext, identity } = {}) {
    this.issued += 1;
    const id = requestId ?? `req-${this.issued}-${Math.random().toString(16).slice(2, 10)}`;
    const raw = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    const headers = {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': id,
      'Lambda-Runtime-Deadline-Ms': String(deadlineMs ?? Date.now() + 30_000),
      'Lambda-Runtime-Invoked-Function-Arn': FUNCTION_ARN,
    };
    if (traceId) headers['Lambda-Runtime-Trace-Id'] = traceId;
    if (clientContext) headers['Lambda-Runtime-Client-Context'] = JSON.stringify(clientContext);
    if (identity) headers['Lambda-Runtime-Cognito-Identity'] = JSON.stringify(identity);
    this.queue.push({ headers, body: Buffer.from(raw) });
    this.serveHeld();
    return id;
  }

  serveHeld() {
    while (this.queue.length > 0 && this.heldNextRequests.length > 0) {
      this.serve(this.heldNextRequests.shift(), this.queue.shift());
    }
  }

  serve(res, item) {
    res.writeHead(200, { ...item.headers, 'Content-Length': item.body.length });
    res.end(item.body);
  }

  route(req, res) {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = req.url;
      const invocation = url.match(/^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/);

      if (req.method === 'GET' && url === `${PREFIX}/invocation/next`) {
        this.nextRequestTimes.push(Date.now());
        res.on('close', () => {
          this.heldNextRequests = this.heldNextRequests.filter((held) => held !== res);
        });
        this.heldNextRequests.push(res);
        this.serveHeld();
        this.emit('change');
        return;
      }
      if (req.method === 'POST' && invocation) {
        const record = {
          requestId: decodeURIComponent(invocation[1]),
          body,
          headers: req.headers,
          at: Date.now(),
        };
        if (invocation[2] === 'response') {
          this.responses.push(record);
        } else {
          record.error = JSON.parse(body);
          this.errors.push(record);
        }
        this.accept(res);
        return;
      }
      if (req.method === 'POST' && url === `${PREFIX}/init/error`) {
        this.initErrors.push({ body, error: JSON.parse(body), headers: req.headers, at: Date.now() });
        this.accept(res);
        return;
      }
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errorMessage: `no route for ${req.method} ${url}`, errorType: 'InvalidRequest' }));
    });
  }

  accept(res) {
    res.writeHead(202, { 'Content-Type': 'application/json' });
    res.end('{"status":"OK"}');
    this.emit('change');
  }

  /**
   * Resolves once `predicate(this)` holds, checked after every recorded request.
   * Rejects after `timeoutMs` with `what` in the message.
   */
  waitFor(predicate, what = 'condition', timeoutMs = 5000) {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (predicate(this)) {
          cleanup();
          resolve(this);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.off('change', check);
      };
      this.on('change', check);
      check();
    });
  }

  async close() {
    for (const res of this.heldNextRequests) {
      res.destroy();
    }
    this.heldNextRequests = [];
    this.server.closeAllConnections?.();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** Writes `files` ({relative path: contents}) into a fresh temporary folder. */
function makeTaskRoot(files) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'swiftlet-node-rt-'));
  for (const [name, contents] of Object.entries(files)) {
    const file = path.join(root, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, contents);
  }
  return root;
}

/**
 * Starts a fake Runtime API and bootstrap.js against it.
 * @param {object} options
 * @param {Object<string,string>} options.files the task root's files
 * @param {string} [options.handler] _HANDLER
 * @param {Array<object>} [options.events] queued before the runtime starts (see `enqueue`)
 * @param {Object<string,string>} [options.env] extra environment; `{taskRoot}` in a value becomes the task root
 * @param {string} [options.runtimeApi] overrides AWS_LAMBDA_RUNTIME_API
 * @returns {Promise<Launched>} call `stop()` when done (register it with t.after)
 */
async function launch({ files = {}, handler = 'index.handler', events = [], env = {}, runtimeApi } = {}) {
  const api = await new FakeRuntimeApi().start();
  const requestIds = events.map((event) => api.enqueue(event));
  const taskRoot = makeTaskRoot(files);

  const child = spawn(process.execPath, [BOOTSTRAP], {
    cwd: taskRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    // A clean environment: nothing from the test runner (NODE_TEST_CONTEXT, NODE_OPTIONS) leaks in.
    env: {
      PATH: process.env.PATH,
      AWS_LAMBDA_RUNTIME_API: runtimeApi ?? api.address,
      _HANDLER: handler,
      LAMBDA_TASK_ROOT: taskRoot,
      LAMBDA_RUNTIME_DIR: path.dirname(BOOTSTRAP),
      AWS_LAMBDA_FUNCTION_NAME: 'test-fn',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/test-fn',
      AWS_LAMBDA_LOG_STREAM_NAME: '2024/01/01/[$LATEST]0123456789abcdef',
      AWS_REGION: 'us-east-1',
      TZ: ':UTC',
      ...Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value.replaceAll('{taskRoot}', taskRoot)])),
    },
  });

  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    stdout += chunk;
    api.emit('change');
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      api.emit('change');
      resolve({ code, signal });
    });
  });

  let stopped = false;
  return {
    api,
    child,
    taskRoot,
    requestIds,
    exited,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    /** stdout split into log records: [{timestamp, requestId, level, message}], other lines as {raw}. */
    logRecords() {
      return stdout
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => {
          const [timestamp, requestId, level, ...rest] = line.split('\t');
          return rest.length > 0 ? { timestamp, requestId, level, message: rest.join('\t') } : { raw: line };
        });
    },
    /** Waits for the child to exit on its own. */
    async waitForExit(timeoutMs = 5000) {
      let timer;
      const timeout = new Promise((_, reject) => {
        const timedOut = () => reject(new Error(`runtime did not exit within ${timeoutMs} ms\n${stderr}`));
        timer = setTimeout(timedOut, timeoutMs);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    /** Kills the child if it still runs, closes the fake and removes the task root. */
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
      }
      await exited;
      await api.close();
      fs.rmSync(taskRoot, { recursive: true, force: true });
    },
  };
}

module.exports = { FakeRuntimeApi, launch, makeTaskRoot, FUNCTION_ARN };

if (require.main === module) {
  const test = require('node:test');
  const assert = require('node:assert/strict');

  test('the fake holds next until an event is queued, then records the response', async (t) => {
    const api = await new FakeRuntimeApi().start();
    t.after(() => api.close());
    const agent = new http.Agent({ keepAlive: true });
    t.after(() => agent.destroy());
    const [host, port] = api.address.split(':');
    const call = (method, urlPath, body) =>
      new Promise((resolve, reject) => {
        const req = http.request({ host, port, method, path: urlPath, agent }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
        });
        req.on('error', reject);
        req.end(body);
      });

    const next = call('GET', `${PREFIX}/invocation/next`);
    await api.waitFor((a) => a.heldNextRequests.length === 1, 'the held next request');
    const id = api.enqueue({ body: { n: 1 } });
    const served = await next;
    assert.equal(served.headers['lambda-runtime-aws-request-id'], id);
    assert.deepEqual(JSON.parse(served.text), { n: 1 });

    const posted = await call('POST', `${PREFIX}/invocation/${id}/response`, '"ok"');
    assert.equal(posted.status, 202);
    assert.deepEqual(api.responses.map((r) => [r.requestId, r.body]), [[id, '"ok"']]);
  });
}
