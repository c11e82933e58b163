'use strict';

const { types } = require('node:util');
const { RuntimeErrorTypes } = require('./wire.js');

/**
 * An error the runtime raises itself. Its `name` is the AWS error type
 * (`Runtime.HandlerNotFound`, ...), which is what ends up in `errorType`.
 */
class RuntimeError extends Error {
  /**
   * @param {string} type one of `RuntimeErrorTypes`
   * @param {string} message
   */
  constructor(type, message) {
    super(message);
    Object.defineProperty(this, 'name', { value: type, enumerable: false, writable: true, configurable: true });
  }
}

/** `unhandledRejection` wrapper: AWS reports every unhandled rejection under one type, the reason as message. */
class UnhandledPromiseRejection extends RuntimeError {
  constructor(reason) {
    super(RuntimeErrorTypes.unhandledPromiseRejection, String(reason));
    this.reason = reason;
  }
}

/** True for native errors and for objects that look like one (errors from another realm, for instance). */
function isErrorLike(value) {
  if (types.isNativeError(value)) {
    return true;
  }
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof value.name === 'string' &&
    typeof value.message === 'string' &&
    typeof value.stack === 'string' &&
    value.name !== '' &&
    value.message !== '' &&
    value.stack !== ''
  );
}

/**
 * The body of an `error` POST: `{errorType, errorMessage, trace}`.
 * Errors keep their `name` as type and their stack as trace; anything else
 * thrown (a string, a number, a plain object) is typed by `typeof`, as AWS does.
 * @param {unknown} error whatever the handler threw or passed to the callback
 * @returns {{errorType: string, errorMessage: string, trace?: string[]}}
 */
function toErrorResponse(error) {
  try {
    if (isErrorLike(error)) {
      const stack = typeof error.stack === 'string' ? error.stack : `${error.name}: ${error.message}`;
      return {
        errorType: String(error.name),
        errorMessage: String(error.message),
        trace: stack.split('\n'),
      };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    // A getter that throws, or a value whose toString throws: report that much and no more.
    return {
      errorType: 'handled',
      errorMessage: 'the error could not be read: accessing its name, message or stack threw',
    };
  }
}

/** Turns any thrown value into an Error, so that logs always show a type, a message and a stack. */
function intoError(value) {
  return value instanceof Error ? value : new Error(value);
}

/**
 * The text the runtime appends to an error log line: a tab, then the error as
 * JSON with its type, message, own enumerable fields and stack lines.
 * @param {unknown} value
 * @returns {string}
 */
function formatErrorForLog(value) {
  const error = intoError(value);
  const expand = (_key, item) => {
    if (!(item instanceof Error)) {
      return item;
    }
    const shown = { errorType: item.name, errorMessage: item.message, code: item.code, ...item };
    if (typeof item.stack === 'string') {
      shown.stack = item.stack.split('\n');
    }
    return shown;
  };
  try {
    return '\t' + JSON.stringify(error, expand);
  } catch {
    // Circular fields, BigInt, a throwing toJSON: fall back to the fields we know are safe.
    return '\t' + JSON.stringify(toErrorResponse(error));
  }
}

module.exports = {
  RuntimeError,
  UnhandledPromiseRejection,
  toErrorResponse,
  formatErrorForLog,
};
