'use strict';

const { InvocationHeaders, RuntimeErrorTypes } = require('./wire.js');
const { RuntimeError, toErrorResponse, formatErrorForLog } = require('./errors.js');
const { setRequestId } = require('./logging.js');

/** Reported when an async handler's promise is still pending once nothing else is left to run. */
const NEVER_SETTLED_MESSAGE =
  'The event loop emptied while the async handler had not settled its promise, so Node.js would have exited. ' +
  'The usual cause is a Promise that is never resolved or rejected.';

/** Parses an optional JSON header; the error names the header that was malformed. */
function parseJsonHeader(value, name) {
  if (value === undefined) {
    return undefined;
  }
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new Error(`Cannot parse ${name} as json: ${error}`);
  }
}

function isThenable(value) {
  const objectLike = value !== null && (typeof value === 'object' || typeof value === 'function');
  return objectLike && typeof value.then === 'function';
}

/**
 * Runs one invocation and reports its outcome to the Runtime API exactly once.
 *
 * The outcome is decided by the first of: the promise the handler returns, the
 * callback, `context.succeed`/`fail`/`done`; later calls are ignored. A
 * successful callback waits for the event loop to empty when
 * `context.callbackWaitsForEmptyEventLoop` is true (the default), like on AWS;
 * everything else reports at once. If the event loop empties with no outcome,
 * a non-async handler succeeds with `null` and an async one fails with
 * Runtime.NodeJsExit.
 *
 * @param {object} options
 * @param {import('./runtime-api-client.js').RuntimeApiClient} options.client
 * @param {Function} options.handler
 * @param {{headers: Object<string,string>, body: string}} options.invocation what `next` returned
 * @param {{set: Function, clear: Function}} options.beforeExit the slot run when the event loop empties
 * @param {() => void} options.onReported called once the outcome was delivered
 * @param {(error: Error) => void} options.onRuntimeApiFailure called when delivering failed
 */
function runInvocation({ client, handler, invocation, beforeExit, onReported, onRuntimeApiFailure }) {
  const { headers, body } = invocation;
  const requestId = headers[InvocationHeaders.requestId];
  const isAsync = handler.constructor?.name === 'AsyncFunction';

  setRequestId(requestId);
  const traceId = headers[InvocationHeaders.traceId];
  if (traceId) {
    process.env._X_AMZN_TRACE_ID = traceId;
  } else {
    delete process.env._X_AMZN_TRACE_ID;
  }

  let reported = false;
  let settled = false;
  let waitsForEmptyEventLoop = true;

  const deliver = (sending) => {
    sending.then((status) => {
      if (status < 200 || status > 299) {
        const refused = `the Runtime API refused the outcome of ${requestId} (HTTP ${status})`;
        process.stderr.write(`swiftlet node runtime: ${refused}\n`);
      }
      onReported();
    }, onRuntimeApiFailure);
  };

  const sendError = (error) => {
    console.error('Invoke Error', formatErrorForLog(error));
    deliver(client.postInvocationError(requestId, toErrorResponse(error)));
  };

  const respond = (result) => {
    if (reported) {
      console.error('The invocation was already reported as done; a second outcome is ignored.');
      return;
    }
    reported = true;
    let json;
    try {
      // undefined (and functions or symbols, which JSON cannot express) are sent as null.
      json = JSON.stringify(result === undefined ? null : result) ?? 'null';
    } catch {
      sendError(new Error('Unable to stringify response body'));
      return;
    }
    deliver(client.postInvocationResponse(requestId, json));
  };

  const fail = (error) => {
    if (reported) {
      return;
    }
    reported = true;
    sendError(error);
  };

  const firstOnly = (fn) =>
    function (...args) {
      if (settled) {
        return;
      }
      settled = true;
      fn(...args);
    };

  const callback = firstOnly((error, result) => {
    beforeExit.clear();
    if (error !== undefined && error !== null) {
      fail(error);
    } else if (!waitsForEmptyEventLoop) {
      respond(result);
    } else {
      beforeExit.set(() => setImmediate(() => respond(result)));
    }
  });

  const done = firstOnly((error, result) => {
    beforeExit.clear();
    if (error !== undefined && error !== null) {
      fail(error);
    } else {
      respond(result);
    }
  });
  const succeed = (result) => done(null, result);
  // AWS reports a rejection without a reason as the string 'handled'.
  const failWith = (error) => done(error === undefined || error === null ? 'handled' : error, null);

  beforeExit.set(() => {
    if (reported) {
      return;
    }
    if (isAsync) {
      fail(new RuntimeError(RuntimeErrorTypes.nodeJsExit, NEVER_SETTLED_MESSAGE));
    } else {
      respond(null);
    }
  });

  try {
    const event = JSON.parse(body);
    const context = buildContext(headers, { succeed, fail: failWith, done }, {
      get: () => waitsForEmptyEventLoop,
      set: (value) => {
        waitsForEmptyEventLoop = value;
      },
    });
    const result = handler(event, context, callback);
    if (isThenable(result)) {
      result.then(succeed, failWith);
    }
  } catch (error) {
    callback(error);
  }
}

/**
 * The context object the handler receives, with the fields the AWS runtime provides.
 * Throws when the client-context or identity header is not JSON.
 */
function buildContext(headers, completions, waits) {
  const deadline = Number(headers[InvocationHeaders.deadlineMs]);
  const env = process.env;
  return {
    get callbackWaitsForEmptyEventLoop() {
      return waits.get();
    },
    set callbackWaitsForEmptyEventLoop(value) {
      waits.set(value);
    },
    succeed: completions.succeed,
    fail: completions.fail,
    done: completions.done,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parseJsonHeader(headers[InvocationHeaders.clientContext], 'ClientContext'),
    identity: parseJsonHeader(headers[InvocationHeaders.cognitoIdentity], 'CognitoIdentity'),
    invokedFunctionArn: headers[InvocationHeaders.invokedFunctionArn],
    awsRequestId: headers[InvocationHeaders.requestId],
    getRemainingTimeInMillis() {
      return deadline - Date.now();
    },
  };
}

module.exports = { runInvocation };
