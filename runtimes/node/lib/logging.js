'use strict';

const util = require('node:util');

/**
 * Replaces the console methods so that each call writes exactly one log line
 * to stdout, in the text format of the AWS Node.js runtime:
 *
 *     <ISO timestamp>\t<request id>\t<LEVEL>\t<message>
 *
 * Newlines inside a message become `\r`, so a multi-line message (a stack
 * trace, pretty-printed JSON) stays one record for whoever splits stdout on
 * `\n`. Before the first invocation the request id field reads `undefined`.
 *
 * AWS_LAMBDA_LOG_FORMAT=JSON switches to one JSON object per line and
 * AWS_LAMBDA_LOG_LEVEL drops calls below the given level, as on AWS.
 */

/** Levels in increasing severity. `console.log` is INFO. */
const LEVELS = Object.freeze({
  TRACE: 1,
  DEBUG: 2,
  INFO: 3,
  WARN: 4,
  ERROR: 5,
  FATAL: 6,
});

/** Symbol-keyed global so that code loaded twice (or by a tracer) reads the same request id. */
const REQUEST_ID = Symbol.for('aws.lambda.runtime.requestId');

/** Records the id printed on every following line, until the next invocation replaces it. */
function setRequestId(requestId) {
  globalThis[REQUEST_ID] = requestId;
}

function currentRequestId() {
  return globalThis[REQUEST_ID];
}

function writeLine(line) {
  process.stdout.write(line.replace(/\n/g, '\r') + '\n');
}

function textLine(level, args) {
  return `${new Date().toISOString()}\t${currentRequestId()}\t${level}\t${util.format(...args)}`;
}

/** Errors are not enumerable as JSON; show their type, message and stack instead. */
function errorAsJson(_key, value) {
  if (!(value instanceof Error)) {
    return value;
  }
  return {
    errorType: value.constructor?.name ?? 'UnknownError',
    errorMessage: value.message,
    stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
    ...value,
  };
}

function jsonLine(level, args) {
  const record = { timestamp: new Date().toISOString(), level, requestId: currentRequestId() };
  if (args.length === 1) {
    try {
      return JSON.stringify({ ...record, message: args[0] }, errorAsJson);
    } catch {
      // Circular or BigInt: fall back to the text rendering of the value.
    }
  }
  const line = { ...record, message: util.format(...args) };
  const error = args.find((arg) => arg instanceof Error);
  if (error) {
    line.errorType = error.constructor?.name ?? 'UnknownError';
    line.errorMessage = error.message;
    line.stackTrace = typeof error.stack === 'string' ? error.stack.split('\n') : [];
  }
  return JSON.stringify(line);
}

/**
 * Installs the console replacement. Call once, before user code loads.
 * @param {NodeJS.ProcessEnv} env
 */
function installConsole(env = process.env) {
  const format = String(env.AWS_LAMBDA_LOG_FORMAT ?? '').toUpperCase() === 'JSON' ? jsonLine : textLine;
  const threshold = LEVELS[String(env.AWS_LAMBDA_LOG_LEVEL ?? '').toUpperCase()] ?? LEVELS.TRACE;

  const method = (level) => {
    if (LEVELS[level] < threshold) {
      return () => {};
    }
    return (...args) => writeLine(format(level, args));
  };

  console.trace = method('TRACE');
  console.debug = method('DEBUG');
  console.info = method('INFO');
  console.log = console.info;
  console.warn = method('WARN');
  console.error = method('ERROR');
  console.fatal = method('FATAL');
}

module.exports = { installConsole, setRequestId };
