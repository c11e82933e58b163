'use strict';

/**
 * Constants of the Lambda Runtime API and of the Node.js programming model,
 * kept in one place. The Runtime API is described at
 * https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
 */

/** Version prefix of every Runtime API path. */
const API_PREFIX = '/2018-06-01/runtime';

/** Paths of the Runtime API, relative to AWS_LAMBDA_RUNTIME_API. */
const Paths = Object.freeze({
  /** Long poll for the next event (GET). */
  next: `${API_PREFIX}/invocation/next`,
  /** Report a failure to initialize (POST). */
  initError: `${API_PREFIX}/init/error`,
  /** Report the result of an invocation (POST). */
  response: (requestId) => `${API_PREFIX}/invocation/${encodeURIComponent(requestId)}/response`,
  /** Report the failure of an invocation (POST). */
  invocationError: (requestId) => `${API_PREFIX}/invocation/${encodeURIComponent(requestId)}/error`,
});

/** Headers of the `next` response, lower-cased as node:http delivers them. */
const InvocationHeaders = Object.freeze({
  requestId: 'lambda-runtime-aws-request-id',
  deadlineMs: 'lambda-runtime-deadline-ms',
  invokedFunctionArn: 'lambda-runtime-invoked-function-arn',
  traceId: 'lambda-runtime-trace-id',
  clientContext: 'lambda-runtime-client-context',
  cognitoIdentity: 'lambda-runtime-cognito-identity',
});

/** Header that carries the error type on `init/error` and `invocation/{id}/error`. */
const ERROR_TYPE_HEADER = 'Lambda-Runtime-Function-Error-Type';

/** Error types the AWS Node.js runtime reports for failures it detects itself. */
const RuntimeErrorTypes = Object.freeze({
  importModule: 'Runtime.ImportModuleError',
  handlerNotFound: 'Runtime.HandlerNotFound',
  malformedHandlerName: 'Runtime.MalformedHandlerName',
  userCodeSyntax: 'Runtime.UserCodeSyntaxError',
  unhandledPromiseRejection: 'Runtime.UnhandledPromiseRejection',
  nodeJsExit: 'Runtime.NodeJsExit',
});

/** Exit statuses the AWS runtime uses after reporting a fatal error. */
const ExitCodes = Object.freeze({
  /** Uncaught exception, including a failed init. */
  uncaughtException: 129,
  /** Unhandled promise rejection. */
  unhandledRejection: 128,
  /** The Runtime API cannot be reached or answered in a way we cannot continue from. */
  runtimeApiFailure: 1,
});

module.exports = {
  Paths,
  InvocationHeaders,
  ERROR_TYPE_HEADER,
  RuntimeErrorTypes,
  ExitCodes,
};
