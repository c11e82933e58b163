'use strict';

const { installConsole } = require('./logging.js');
const { RuntimeApiClient } = require('./runtime-api-client.js');
const { UnhandledPromiseRejection, toErrorResponse, formatErrorForLog } = require('./errors.js');
const { loadHandler } = require('./handler-loader.js');
const { runInvocation } = require('./invocation.js');
const { ExitCodes, InvocationHeaders } = require('./wire.js');

/** Prefix of the runtime's own diagnostics on stderr, which are not function logs. */
const DIAGNOSTIC_PREFIX = 'swiftlet node runtime:';

/** How long a fatal error's report may take before the process exits without it. */
const FATAL_REPORT_TIMEOUT_MS = 3000;

/**
 * The action to run when the event loop empties. Node emits `beforeExit`
 * only when nothing is left to do; an idle keep-alive socket does not count,
 * so this is how a callback response waits for the event loop, and how a
 * handler that never answers still gets an outcome.
 */
class BeforeExitSlot {
  constructor() {
    this.action = null;
  }

  set(action) {
    this.action = action;
  }

  clear() {
    this.action = null;
  }

  fire() {
    const action = this.action;
    this.action = null;
    if (action) {
      action();
    }
  }
}

/**
 * Initializes the function and then serves invocations until the process is
 * stopped. Init failures are reported to `init/error` and end the process
 * with status 129; failures of the Runtime API connection end it with status 1.
 * @param {NodeJS.ProcessEnv} env
 */
async function start(env = process.env) {
  installConsole(env);

  let client;
  try {
    if (!env.AWS_LAMBDA_RUNTIME_API) {
      throw new Error('AWS_LAMBDA_RUNTIME_API is not set');
    }
    client = new RuntimeApiClient(env.AWS_LAMBDA_RUNTIME_API);
  } catch (error) {
    exitForRuntimeApi(error);
    return;
  }

  const beforeExit = new BeforeExitSlot();
  // The invocation that fatal errors are charged to; until the first one arrives they are init errors.
  let lastRequestId;
  let exiting = false;

  const reportFatal = (error, status) => {
    if (exiting) {
      return;
    }
    exiting = true;
    const response = toErrorResponse(error);
    const sending =
      lastRequestId === undefined
        ? client.postInitError(response)
        : client.postInvocationError(lastRequestId, response);
    const exit = () => process.exit(status);
    sending.then(exit, exit);
    // The report is best effort: a Runtime API that never answers must not keep a broken process alive.
    setTimeout(exit, FATAL_REPORT_TIMEOUT_MS);
  };

  process.on('uncaughtException', (error) => {
    console.error('Uncaught Exception', formatErrorForLog(error));
    reportFatal(error, ExitCodes.uncaughtException);
  });
  process.on('unhandledRejection', (reason) => {
    const error = new UnhandledPromiseRejection(reason);
    console.error('Unhandled Promise Rejection', formatErrorForLog(error));
    reportFatal(error, ExitCodes.unhandledRejection);
  });
  process.on('beforeExit', () => beforeExit.fire());

  let handler;
  try {
    handler = await loadHandler(env.LAMBDA_TASK_ROOT || process.cwd(), env._HANDLER);
  } catch (error) {
    console.error('Uncaught Exception', formatErrorForLog(error));
    reportFatal(error, ExitCodes.uncaughtException);
    return;
  }

  const scheduleNext = () => setImmediate(() => serveNext().catch(exitForRuntimeApi));
  const serveNext = async () => {
    const invocation = await client.nextInvocation();
    const requestId = invocation.headers[InvocationHeaders.requestId];
    if (!requestId) {
      throw new Error(`the next invocation carries no ${InvocationHeaders.requestId} header`);
    }
    lastRequestId = requestId;
    runInvocation({
      client,
      handler,
      invocation,
      beforeExit,
      onReported: scheduleNext,
      onRuntimeApiFailure: exitForRuntimeApi,
    });
  };

  scheduleNext();
}

/** The Runtime API is gone or unusable: nothing can be reported through it, so say why on stderr and stop. */
function exitForRuntimeApi(error) {
  process.stderr.write(`${DIAGNOSTIC_PREFIX} ${error?.message ?? error}\n`);
  process.exit(ExitCodes.runtimeApiFailure);
}

module.exports = { start };
