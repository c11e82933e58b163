'use strict';

// Function logs on stdout: one line per console call, `<timestamp>\t<request id>\t<LEVEL>\t<message>`.

const test = require('node:test');
const assert = require('node:assert/strict');
const { launch } = require('./fake-runtime-api.js');

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

async function runOnce(t, files, env = {}) {
  const fn = await launch({ files, env, events: [{ body: {} }] });
  t.after(() => fn.stop());
  await fn.api.waitFor((api) => api.responses.length + api.errors.length === 1, 'one outcome');
  return fn;
}

test('each console method writes one line with timestamp, request id, level and formatted message', async (t) => {
  const fn = await runOnce(t, {
    'index.js': `exports.handler = async () => {
      console.log('%s has %d items', 'cart', 3);
      console.info('info', { a: 1 });
      console.warn('warn');
      console.error('error');
      console.debug('debug');
      console.trace('trace');
    };`,
  });
  const records = fn.logRecords();
  assert.deepEqual(
    records.map((r) => [r.requestId, r.level, r.message]),
    [
      [fn.requestIds[0], 'INFO', 'cart has 3 items'],
      [fn.requestIds[0], 'INFO', 'info { a: 1 }'],
      [fn.requestIds[0], 'WARN', 'warn'],
      [fn.requestIds[0], 'ERROR', 'error'],
      [fn.requestIds[0], 'DEBUG', 'debug'],
      [fn.requestIds[0], 'TRACE', 'trace'],
    ],
  );
  for (const record of records) {
    assert.match(record.timestamp, ISO_TIMESTAMP);
  }
});

test('lines written during init carry the request id undefined', async (t) => {
  const fn = await runOnce(t, {
    'index.js': 'console.log("loading");\nexports.handler = async () => console.log("running");',
  });
  const records = fn.logRecords();
  assert.deepEqual(records.map((r) => [r.requestId, r.message]), [
    ['undefined', 'loading'],
    [fn.requestIds[0], 'running'],
  ]);
});

test('a multi-line message stays one line, its newlines written as carriage returns', async (t) => {
  const fn = await runOnce(t, {
    'index.js': `exports.handler = async () => {
      console.log('first\\nsecond\\nthird');
      console.error(new Error('with a stack'));
    };`,
  });
  const lines = fn.stdout.split('\n').filter(Boolean);
  assert.equal(lines.length, 2);
  assert.ok(lines[0].endsWith('\tINFO\tfirst\rsecond\rthird'), JSON.stringify(lines[0]));
  assert.match(lines[1], /\tERROR\tError: with a stack\r {4}at /);
});

test('AWS_LAMBDA_LOG_LEVEL drops lines below the level', async (t) => {
  const fn = await runOnce(
    t,
    {
      'index.js': `exports.handler = async () => {
        console.debug('d'); console.log('i'); console.warn('w'); console.error('e');
      };`,
    },
    { AWS_LAMBDA_LOG_LEVEL: 'warn' },
  );
  assert.deepEqual(fn.logRecords().map((r) => r.level), ['WARN', 'ERROR']);
});

test('AWS_LAMBDA_LOG_FORMAT=JSON writes one JSON object per line', async (t) => {
  const fn = await runOnce(
    t,
    { 'index.js': 'exports.handler = async () => { console.log({ order: 7 }); console.warn("low stock: %d", 2); };' },
    { AWS_LAMBDA_LOG_FORMAT: 'JSON' },
  );
  const lines = fn.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
  assert.deepEqual(
    lines.map(({ timestamp, ...rest }) => rest),
    [
      { level: 'INFO', requestId: fn.requestIds[0], message: { order: 7 } },
      { level: 'WARN', requestId: fn.requestIds[0], message: 'low stock: 2' },
    ],
  );
  assert.match(lines[0].timestamp, ISO_TIMESTAMP);
});
