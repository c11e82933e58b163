'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { RuntimeError } = require('./errors.js');
const { RuntimeErrorTypes } = require('./wire.js');

/**
 * Splits `_HANDLER` into the folder of the module, the module's name and the
 * path to the export: `src/app.main` is `src/`, `app`, `main`, and
 * `index.a.b.c` is ``, `index`, `a.b.c`. Dots in folder names are allowed;
 * the module name is what follows the last `/` up to the first `.`.
 * @param {string} handlerString
 * @returns {{moduleRoot: string, moduleName: string, exportPath: string}}
 * @throws {RuntimeError} Runtime.MalformedHandlerName
 */
function parseHandlerString(handlerString) {
  if (typeof handlerString !== 'string' || handlerString === '') {
    throw new RuntimeError(RuntimeErrorTypes.malformedHandlerName, 'Bad handler');
  }
  if (handlerString.includes('..')) {
    // Keeps the handler inside LAMBDA_TASK_ROOT; AWS rejects relative paths the same way.
    throw new RuntimeError(
      RuntimeErrorTypes.malformedHandlerName,
      `'${handlerString}' is not a valid handler name: '..' is not allowed; give the folder relative to the task root.`,
    );
  }

  const slash = handlerString.lastIndexOf('/');
  const moduleRoot = handlerString.slice(0, slash + 1);
  const moduleAndExport = handlerString.slice(slash + 1);
  const dot = moduleAndExport.indexOf('.');
  if (dot < 0) {
    throw new RuntimeError(RuntimeErrorTypes.malformedHandlerName, 'Bad handler');
  }
  return {
    moduleRoot,
    moduleName: moduleAndExport.slice(0, dot),
    exportPath: moduleAndExport.slice(dot + 1),
  };
}

/**
 * True when the nearest package.json above `folder` says `"type": "module"`.
 * The search stops at a node_modules folder, as Node's own lookup does.
 */
function isTypeModuleFolder(folder) {
  for (let current = folder; ; current = path.dirname(current)) {
    if (path.basename(current) === 'node_modules') {
      return false;
    }
    const manifest = path.join(current, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        return JSON.parse(fs.readFileSync(manifest, 'utf8'))?.type === 'module';
      } catch (error) {
        console.warn(`${manifest} cannot be parsed; .js files next to it are loaded as CommonJS.`, error);
        return false;
      }
    }
    if (path.dirname(current) === current) {
      return false;
    }
  }
}

function isFile(file) {
  return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}

function requireIfPresent(file) {
  return isFile(file) ? require(file) : undefined;
}

async function importIfPresent(file) {
  if (!isFile(file)) {
    return undefined;
  }
  const { pathToFileURL } = require('node:url');
  return import(pathToFileURL(file).href);
}

/**
 * Loads the user's module in the order the AWS runtime uses: the exact file
 * name, then `.js` (CommonJS unless package.json says "module"), `.mjs`,
 * `.cjs`, and finally Node's own resolution from the task root, which also
 * searches node_modules folders and NODE_PATH (layers in /opt/nodejs).
 */
async function loadModule(taskRoot, moduleRoot, moduleName) {
  const base = path.resolve(taskRoot, moduleRoot, moduleName);

  const exact = requireIfPresent(base);
  if (exact) {
    return exact;
  }

  const typeModule = isTypeModuleFolder(path.dirname(base));
  const loaded =
    (typeModule ? await importIfPresent(base + '.js') : requireIfPresent(base + '.js')) ||
    (await importIfPresent(base + '.mjs')) ||
    requireIfPresent(base + '.cjs');
  if (loaded) {
    return loaded;
  }

  const resolved = require.resolve(moduleName, { paths: [taskRoot, path.resolve(taskRoot, moduleRoot)] });
  return require(resolved);
}

/** Follows `a.b.c` through nested exports; undefined when any step is missing. */
function resolveExport(moduleExports, exportPath) {
  return exportPath.split('.').reduce((value, key) => (value == null ? undefined : value[key]), moduleExports);
}

/**
 * Loads the handler named by `_HANDLER`.
 * @param {string} taskRoot LAMBDA_TASK_ROOT
 * @param {string} handlerString `_HANDLER`
 * @returns {Promise<Function>}
 * @throws {RuntimeError} MalformedHandlerName, ImportModuleError, UserCodeSyntaxError or
 *   HandlerNotFound; any other error thrown by the module's top level is passed on as is.
 */
async function loadHandler(taskRoot, handlerString) {
  const { moduleRoot, moduleName, exportPath } = parseHandlerString(handlerString);

  let moduleExports;
  try {
    moduleExports = await loadModule(taskRoot, moduleRoot, moduleName);
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new RuntimeError(RuntimeErrorTypes.userCodeSyntax, String(error));
    }
    if (error?.code === 'MODULE_NOT_FOUND') {
      throw new RuntimeError(RuntimeErrorTypes.importModule, String(error));
    }
    throw error;
  }

  const handler = resolveExport(moduleExports, exportPath);
  if (!handler) {
    throw new RuntimeError(RuntimeErrorTypes.handlerNotFound, `${handlerString} is undefined or not exported`);
  }
  if (typeof handler !== 'function') {
    throw new RuntimeError(RuntimeErrorTypes.handlerNotFound, `${handlerString} is not a function`);
  }
  return handler;
}

module.exports = { loadHandler, parseHandlerString };
