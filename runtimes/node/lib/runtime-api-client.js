'use strict';

const http = require('node:http');
const { Paths, ERROR_TYPE_HEADER } = require('./wire.js');

/** The Runtime API could not be reached, or answered with a status the runtime cannot continue after. */
class RuntimeApiError extends Error {
  constructor(message, cause) {
    super(message);
    this.name = 'RuntimeApiError';
    this.cause = cause;
  }
}

/**
 * Splits `host:port` (or `[v6]:port`) as found in AWS_LAMBDA_RUNTIME_API.
 * @param {string} address
 * @returns {{hostname: string, port: number}}
 */
function parseAddress(address) {
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new RuntimeApiError(`AWS_LAMBDA_RUNTIME_API is not host:port: '${address}'`);
  }
  const hostname = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { hostname, port };
}

/**
 * HTTP client for the Lambda Runtime API over one keep-alive agent.
 * Every method resolves once the API has answered and the answer's body is read,
 * and rejects with a RuntimeApiError when the connection fails.
 */
class RuntimeApiClient {
  /** @param {string} address the value of AWS_LAMBDA_RUNTIME_API */
  constructor(address) {
    this.address = address;
    const { hostname, port } = parseAddress(address);
    this.hostname = hostname;
    this.port = port;
    // The agent unrefs idle sockets, so an idle keep-alive connection never holds the
    // event loop open; `callbackWaitsForEmptyEventLoop` relies on that.
    this.agent = new http.Agent({ keepAlive: true });
  }

  /**
   * Long-polls for the next event.
   * @returns {Promise<{headers: Object<string, string>, body: string}>}
   */
  async nextInvocation() {
    const answer = await this.request('GET', Paths.next, {}, null);
    if (answer.status !== 200) {
      throw new RuntimeApiError(`GET ${Paths.next} answered ${answer.status}: ${answer.body.toString('utf8')}`);
    }
    return { headers: answer.headers, body: answer.body.toString('utf8') };
  }

  /**
   * Sends an invocation's result, already serialized as JSON.
   * @returns {Promise<number>} the HTTP status the API answered
   */
  async postInvocationResponse(requestId, json) {
    const answer = await this.request('POST', Paths.response(requestId), {}, json);
    return answer.status;
  }

  /**
   * Sends an invocation's failure.
   * @param {{errorType: string}} errorResponse the body built by `toErrorResponse`
   * @returns {Promise<number>}
   */
  async postInvocationError(requestId, errorResponse) {
    const headers = { [ERROR_TYPE_HEADER]: headerSafe(errorResponse.errorType) };
    const answer = await this.request('POST', Paths.invocationError(requestId), headers, JSON.stringify(errorResponse));
    return answer.status;
  }

  /**
   * Sends a failure to initialize.
   * @returns {Promise<number>}
   */
  async postInitError(errorResponse) {
    const headers = { [ERROR_TYPE_HEADER]: headerSafe(errorResponse.errorType) };
    const answer = await this.request('POST', Paths.initError, headers, JSON.stringify(errorResponse));
    return answer.status;
  }

  /**
   * One request. A request on a reused keep-alive socket that the server closed
   * meanwhile fails with ECONNRESET before anything was processed; it is retried once.
   */
  request(method, path, headers, body, isRetry = false) {
    return new Promise((resolve, reject) => {
      const payload = body === null ? null : Buffer.from(body, 'utf8');
      const allHeaders = { ...headers };
      if (payload !== null) {
        allHeaders['Content-Type'] = 'application/json';
        allHeaders['Content-Length'] = payload.length;
      }
      const req = http.request(
        { hostname: this.hostname, port: this.port, method, path, headers: allHeaders, agent: this.agent },
        (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', (error) => reject(new RuntimeApiError(`${method} ${path}: ${error.message}`, error)));
        },
      );
      req.on('error', (error) => {
        if (!isRetry && req.reusedSocket && error.code === 'ECONNRESET') {
          this.request(method, path, headers, body, true).then(resolve, reject);
          return;
        }
        reject(new RuntimeApiError(`${method} ${path} to ${this.address} failed: ${error.message}`, error));
      });
      req.end(payload === null ? undefined : payload);
    });
  }
}

/** Header values are limited to visible ASCII here; anything else is percent-encoded (AWS does so for DEL). */
function headerSafe(value) {
  return String(value).replace(/[^\x20-\x7e]/gu, (c) => {
    try {
      return encodeURIComponent(c);
    } catch {
      return '%EF%BF%BD'; // a lone surrogate: U+FFFD
    }
  });
}

module.exports = { RuntimeApiClient, RuntimeApiError, parseAddress };
