/*
 * Render one MFE plugin slot from a Tutor-rendered env.config.jsx with the REAL
 * @edx/frontend-platform and @openedx/frontend-plugin-framework (React 18, react-dom in jsdom).
 *
 * Usage: node slot.js <env.config.jsx> '<scenario JSON>'
 *
 * The scenario:
 *   app         the MFE's APP_ID (process.env.APP_ID), e.g. "profile", "learner-dashboard"
 *   slot        the plugin slot id to render with <PluginSlot id={slot} />
 *   pathname    window.location.pathname, e.g. "/u/ada" (default "/")
 *   locale      the user's language, e.g. "en" or "fr" (default "en"); set as the language
 *               preference cookie that frontend-platform's getLocale() reads
 *   user        the authenticated user ({"username": "ada", "userId": 3, "administrator": false})
 *               or null (anonymous)
 *   lmsBaseUrl  LMS_BASE_URL (default "https://lms.example.org")
 *   responses   {"<full URL>": {"status": 200, "data": {...}}, ...}: what the HTTP clients (and
 *               fetch) answer; a status >= 400 fails the request as axios does; an unlisted URL
 *               answers 404
 * Optional:
 *   baseUrl     the MFE's origin, BASE_URL (default: https://apps.<LMS host>, as Tutor serves MFEs)
 *   config      more frontend-platform config keys, merged before env.config.jsx is applied
 *   messages    {"<locale>": {"<message id>": "<translation>"}}: the app's translations
 *               (default none, so each message's defaultMessage shows)
 *
 * Prints one JSON line on stdout:
 *   requests        the URLs requested, in order
 *   requestDetails  [{url, method, client, withCredentials}] ("authenticated" client =
 *                   getAuthenticatedHttpClient(), whose withCredentials defaults to true as
 *                   AxiosJwtAuthService sets it; "public" = getHttpClient(); "fetch" = window.fetch,
 *                   withCredentials true when credentials: 'include')
 *   logged          {errors: [{message, status, attributes}], info: [{message, attributes}]}: the
 *                   calls to frontend-platform's (MockLoggingService) logError / logInfo
 *   consoleErrors   console.error output that env.config.jsx and its widgets cause (React
 *                   warnings about their components, env.config.jsx's own catch, ...)
 *   consoleWarnings console.warn output from then on
 *   packageConsole  what the packages said while being set up (i18n's locale warnings, React's
 *                   warnings about Paragon's components), and then console.error calls made in
 *                   node_modules that are not React's about a component of env.config.jsx: React
 *                   warnings about the packages' components (frontend-plugin-framework spreads a
 *                   key into each widget's props), react-intl's missing translations, jsdom's
 *                   copy of an error a component threw (React's report of it is in consoleErrors)
 *   slots           the pluginSlots ids env.config.jsx configured for this app
 *   plugins         the slot's plugins [{op, id, type, priority}]
 *   html            the rendered HTML of the slot ("" when it renders nothing)
 *   text            its visible text, whitespace-collapsed (.sr-only / .visually-hidden / [hidden]
 *                   left out)
 *   fullText        all of its text, screen-reader-only text included
 *   links           [{href, text, fullText}]
 *   images          [{src, alt, width, height}] (attribute values, null when absent)
 *   headings        [{level, text}]
 *   axe             axe-core's violations in the rendered slot [{id, impact, help, targets}] (jsdom does not
 *                   lay out pages, so rules that need layout, such as colour contrast, come back
 *                   incomplete rather than violated: the browser tests cover those on the plugin's pages)
 * Exits 1 with the stack on stderr if anything throws.
 */
const fs = require('fs');
const path = require('path');
const Module = require('module');
const util = require('util');

const [file, scenarioJson] = process.argv.slice(2);
if (!file || !scenarioJson) {
  process.stderr.write("usage: node slot.js <env.config.jsx> '<scenario JSON>'\n");
  process.exit(2);
}
const scenario = JSON.parse(scenarioJson);
const lmsBaseUrl = (scenario.lmsBaseUrl || 'https://lms.example.org').replace(/\/$/, '');
const baseUrl = (scenario.baseUrl || `${new URL(lmsBaseUrl).protocol}//apps.${new URL(lmsBaseUrl).host}`)
  .replace(/\/$/, '');
const locale = scenario.locale || 'en';
const responses = scenario.responses || {};
const LANGUAGE_COOKIE = 'openedx-language-preference';

// Nothing but this script's JSON may reach stdout: the console is recorded or sent to stderr.
// What the packages themselves say (while this script sets them up, or React warnings about their
// own components, e.g. frontend-plugin-framework's key-in-spread-props) is kept apart from what the
// env.config.jsx code and its widgets cause.
const consoleErrors = [];
const consoleWarnings = [];
const packageConsole = [];
let settingUp = true;
const format = (args) => util.format(...args.map((arg) => (arg instanceof Error ? arg.stack || String(arg) : arg)));
const toStderr = (...args) => process.stderr.write(`${format(args)}\n`);
// Who said it: the file of the first stack frame (of a React component stack or of the caller).
const frameFile = (line) => {
  const match = /^\s+at (?:.*?\()?((?:file:\/\/)?\/[^:)]+)/.exec(line);
  return match ? match[1] : null;
};
const inPackages = (filename) => /[\\/]node_modules[\\/]/.test(filename);
const fromPackages = (message) => {
  if (settingUp) {
    return true;
  }
  // The code that called console.error (the first frame outside this script).
  const caller = new Error().stack.split('\n').slice(1).map(frameFile)
    .find((filename) => filename && filename !== __filename);
  if (!caller || !inPackages(caller)) {
    return false;
  }
  // React's warnings and its report of an error a component threw name the component first.
  if (/^(Warning: |The above error occurred)/.test(message)) {
    const component = message.split('\n').map(frameFile).find(Boolean);
    return !component || inPackages(component);
  }
  return true;
};
console.error = (...args) => {
  const message = format(args);
  (fromPackages(message) ? packageConsole : consoleErrors).push(message);
};
console.warn = (...args) => {
  const message = format(args);
  (settingUp ? packageConsole : consoleWarnings).push(message);
};
console.log = toStderr;
console.info = toStderr;
console.debug = toStderr;

// The build-time environment an MFE is compiled with (frontend-platform reads process.env when
// it loads; env.config.jsx reads process.env.APP_ID).
process.env.NODE_ENV = 'test';
process.env.APP_ID = scenario.app || '';

// A browser: jsdom at the MFE's URL, its window's globals visible to every module.
const { JSDOM } = require('jsdom');

const dom = new JSDOM('<!DOCTYPE html><html lang="en"><head></head><body><div id="root"></div></body></html>', {
  url: `${baseUrl}${scenario.pathname || '/'}`,
  pretendToBeVisual: true,
});
const { window } = dom;
const ownGlobals = new Set(Object.getOwnPropertyNames(globalThis));
Object.getOwnPropertyNames(window).forEach((key) => {
  if (!ownGlobals.has(key) && !key.startsWith('_')) {
    Object.defineProperty(globalThis, key, {
      configurable: true,
      get: () => window[key],
      set: (value) => { window[key] = value; },
    });
  }
});
globalThis.window = window;
globalThis.document = window.document;
globalThis.navigator = window.navigator;
globalThis.IS_REACT_ACT_ENVIRONMENT = true;
window.document.cookie = `${LANGUAGE_COOKIE}=${locale}; path=/`;

// frontend-platform's MockLoggingService and MockAuthService build their methods with jest.fn():
// the one thing of Jest's that they need, recording calls as Jest's does.
globalThis.jest = {
  fn: (implementation) => {
    const mock = function mockFn(...args) {
      mock.mock.calls.push(args);
      return implementation ? implementation.apply(this, args) : undefined;
    };
    mock.mock = { calls: [] };
    return mock;
  },
};

// frontend-platform and Paragon ship ES modules (import/export, extensionless paths) in .js files
// that Node treats as CommonJS: Babel turns those two packages' files into CommonJS as they load.
// What their webpack loaders would handle load as Jest setups (frontend-build's) have them: styles
// (Paragon's breakpoints import a .module.scss) as empty objects, images and fonts (Paragon's
// default avatar .svg) as a file name.
process.env.BABEL_CACHE_PATH = process.env.BABEL_CACHE_PATH
  || path.join(__dirname, 'node_modules', '.cache', 'slot-babel-register.json');
// Their own files only: not those of any node_modules nested in them.
const esmPackages = /[\\/]node_modules[\\/](@edx[\\/]frontend-platform|@openedx[\\/]paragon)[\\/](?!.*[\\/]node_modules[\\/])/;
require('@babel/register')({
  babelrc: false,
  configFile: false,
  extensions: ['.js'],
  only: [esmPackages],
  plugins: [require.resolve('@babel/plugin-transform-modules-commonjs')],
  sourceMaps: false,
  compact: false,
});
['.css', '.scss', '.sass', '.less'].forEach((extension) => {
  Module._extensions[extension] = (asset) => { asset.exports = {}; }; // eslint-disable-line no-underscore-dangle
});
['.svg', '.png', '.jpg', '.jpeg', '.gif', '.webp', '.ico', '.eot', '.otf', '.ttf', '.woff', '.woff2'].forEach((extension) => {
  // eslint-disable-next-line no-underscore-dangle
  Module._extensions[extension] = (asset, filename) => { asset.exports = path.basename(filename); };
});

const babel = require('@babel/core');

// env.config.jsx, transpiled as the MFE build does (JSX, automatic runtime) into CommonJS, its
// import() calls becoming require()s resolved from this folder's node_modules: the real packages.
// frontend-platform's initialize.js imports it as 'env.config' (frontend-build's webpack alias):
// that name resolves to the scenario's file.
const envConfigFile = path.resolve(file);
const resolveFilename = Module._resolveFilename; // eslint-disable-line no-underscore-dangle
Module._resolveFilename = function resolve(request, ...rest) { // eslint-disable-line no-underscore-dangle
  return request === 'env.config' ? envConfigFile : resolveFilename.call(this, request, ...rest);
};
Module._extensions['.jsx'] = (envModule, filename) => { // eslint-disable-line no-underscore-dangle
  const { code } = babel.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    babelrc: false,
    configFile: false,
    presets: [[require.resolve('@babel/preset-react'), { runtime: 'automatic' }]],
    plugins: [
      require.resolve('@babel/plugin-transform-modules-commonjs'),
      require.resolve('@babel/plugin-transform-dynamic-import'),
    ],
  });
  // Its bare imports resolve from here, wherever the file is.
  envModule.paths = Module._nodeModulePaths(__dirname); // eslint-disable-line no-underscore-dangle
  envModule._compile(code, filename); // eslint-disable-line no-underscore-dangle
};

const React = require('react');
const { act } = require('react');
const { createRoot } = require('react-dom/client');
const platform = require('@edx/frontend-platform');
const logging = require('@edx/frontend-platform/logging');
const auth = require('@edx/frontend-platform/auth');
const i18n = require('@edx/frontend-platform/i18n');
const { AppContext, ErrorBoundary } = require('@edx/frontend-platform/react');
const { PluginSlot } = require('@openedx/frontend-plugin-framework');

const axios = require(require.resolve('axios', { paths: [path.dirname(require.resolve('@edx/frontend-platform'))] }));

// The configuration an MFE's initialize() builds from its .env (Tutor's values), for this scenario.
platform.mergeConfig({
  ENVIRONMENT: 'test',
  APP_ID: scenario.app || '',
  BASE_URL: baseUrl,
  PUBLIC_PATH: '/',
  LMS_BASE_URL: lmsBaseUrl,
  LOGIN_URL: `${lmsBaseUrl}/login`,
  LOGOUT_URL: `${lmsBaseUrl}/logout`,
  REFRESH_ACCESS_TOKEN_ENDPOINT: `${lmsBaseUrl}/login_refresh`,
  ACCESS_TOKEN_COOKIE_NAME: 'edx-jwt-cookie-header-payload',
  CSRF_TOKEN_API_PATH: '/csrf/api/v1/token',
  LANGUAGE_PREFERENCE_COOKIE_NAME: LANGUAGE_COOKIE,
  USER_INFO_COOKIE_NAME: 'edx-user-info',
  SITE_NAME: 'Open edX',
  ACCOUNT_PROFILE_URL: `${baseUrl}/profile`,
  ACCOUNT_SETTINGS_URL: `${baseUrl}/account`,
  LEARNING_BASE_URL: `${baseUrl}/learning`,
  ...(scenario.config || {}),
});

const loggingService = logging.configure(logging.MockLoggingService, { config: platform.getConfig() });
const authService = auth.configure(auth.MockAuthService, {
  config: { ...platform.getConfig(), authenticatedUser: scenario.user || null },
  loggingService,
});

// The LMS: every request of the HTTP clients (and of fetch) is answered from the scenario.
const requests = [];
const requestDetails = [];
let pending = 0;
const answer = (url) => (Object.prototype.hasOwnProperty.call(responses, url)
  ? { status: 200, data: null, ...responses[url] }
  : { status: 404, data: { detail: 'Not found.' } });
const adapterFor = (client) => async (config) => {
  const url = axios.getUri(config);
  requests.push(url);
  requestDetails.push({
    url, method: (config.method || 'get').toUpperCase(), client, withCredentials: Boolean(config.withCredentials),
  });
  pending += 1;
  try {
    await new Promise((resolve) => { setTimeout(resolve, 0); });
    const { status, data } = answer(url);
    const response = {
      data, status, statusText: String(status), headers: { 'content-type': 'application/json' }, config, request: {},
    };
    const valid = config.validateStatus ? config.validateStatus(status) : status >= 200 && status < 300;
    if (!valid) {
      throw new axios.AxiosError(
        `Request failed with status code ${status}`,
        status >= 500 ? axios.AxiosError.ERR_BAD_RESPONSE : axios.AxiosError.ERR_BAD_REQUEST,
        config,
        response.request,
        response,
      );
    }
    return response;
  } finally {
    pending -= 1;
  }
};
// As AxiosJwtAuthService's authenticated client: credentials (the JWT cookie) on every request.
authService.authenticatedHttpClient.defaults.withCredentials = true;
authService.authenticatedHttpClient.defaults.adapter = adapterFor('authenticated');
authService.httpClient.defaults.adapter = adapterFor('public');
const fetchImpl = async (input, init = {}) => {
  const url = new URL(typeof input === 'string' ? input : input.url, window.location.href).href;
  requests.push(url);
  requestDetails.push({
    url, method: (init.method || 'GET').toUpperCase(), client: 'fetch', withCredentials: init.credentials === 'include',
  });
  pending += 1;
  try {
    await new Promise((resolve) => { setTimeout(resolve, 0); });
    const { status, data } = answer(url);
    return new Response(data === null || data === undefined ? null : JSON.stringify(data), {
      status, headers: { 'content-type': 'application/json' },
    });
  } finally {
    pending -= 1;
  }
};
globalThis.fetch = fetchImpl;
window.fetch = fetchImpl;

// i18n as initialize() configures it; no translations unless the scenario gives some.
i18n.configure({
  config: platform.getConfig(),
  loggingService,
  messages: { [locale]: {}, ...(scenario.messages || {}) },
});

const serializable = (value) => {
  try {
    return JSON.parse(JSON.stringify(value === undefined ? null : value));
  } catch (error) {
    return String(value);
  }
};

const BLOCK = new Set(['ADDRESS', 'ARTICLE', 'ASIDE', 'BLOCKQUOTE', 'BR', 'DD', 'DIV', 'DL', 'DT', 'FIELDSET',
  'FIGCAPTION', 'FIGURE', 'FOOTER', 'FORM', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'HEADER', 'HR', 'LI', 'MAIN', 'NAV',
  'OL', 'P', 'PRE', 'SECTION', 'TABLE', 'TD', 'TH', 'TR', 'UL']);
const hidden = (element) => element.matches('.sr-only, .visually-hidden, [hidden], script, style, template');
const textOf = (node, visibleOnly) => {
  const parts = [];
  const walk = (current) => {
    if (current.nodeType === window.Node.TEXT_NODE) {
      parts.push(current.nodeValue);
      return;
    }
    if (current.nodeType !== window.Node.ELEMENT_NODE && current.nodeType !== window.Node.DOCUMENT_FRAGMENT_NODE) {
      return;
    }
    if (current.nodeType === window.Node.ELEMENT_NODE && visibleOnly && hidden(current)) {
      return;
    }
    if (current.nodeType === window.Node.ELEMENT_NODE && current.tagName === 'IMG') {
      return;
    }
    const block = current.nodeType === window.Node.ELEMENT_NODE && BLOCK.has(current.tagName);
    if (block) {
      parts.push(' ');
    }
    current.childNodes.forEach(walk);
    if (block) {
      parts.push(' ');
    }
  };
  walk(node);
  return parts.join('').replace(/\s+/g, ' ').trim();
};

const main = async () => {
  settingUp = false;
  const envConfig = require('env.config'); // eslint-disable-line global-require, import/no-unresolved
  const setConfig = envConfig.default || envConfig;
  // As initialize() does with env.config: call it if it is a function, merge what it returns.
  const fileConfig = typeof setConfig === 'function' ? await setConfig() : setConfig;
  platform.mergeConfig(fileConfig || {});
  const pluginSlots = platform.getConfig().pluginSlots || {};
  const slotConfig = pluginSlots[scenario.slot] || { plugins: [] };

  const container = window.document.getElementById('root');
  const root = createRoot(container);
  const appContext = {
    authenticatedUser: auth.getAuthenticatedUser(),
    config: platform.getConfig(),
    locale: i18n.getLocale(),
  };
  // What AppProvider puts around an MFE's pages, less its router, Redux store and theme loader.
  const tree = React.createElement(
    i18n.IntlProvider,
    { locale: i18n.getLocale(), messages: i18n.getMessages() },
    React.createElement(
      ErrorBoundary,
      null,
      React.createElement(
        AppContext.Provider,
        { value: appContext },
        React.createElement(PluginSlot, { id: scenario.slot }),
      ),
    ),
  );
  await act(async () => {
    root.render(tree);
  });
  // Let the widgets' requests settle and React apply what they set (a few idle turns in a row).
  const deadline = Date.now() + 5000;
  let idle = 0;
  while (idle < 3 && Date.now() < deadline) {
    // eslint-disable-next-line no-await-in-loop
    await act(async () => {
      await new Promise((resolve) => { setTimeout(resolve, 5); });
    });
    idle = pending === 0 ? idle + 1 : 0;
  }

  const calls = (fn) => (fn && fn.mock ? fn.mock.calls : []);
  const result = {
    requests,
    requestDetails,
    logged: {
      errors: calls(loggingService.logError).map(([error, attributes]) => ({
        message: error && error.message !== undefined ? String(error.message) : String(error),
        status: (error && error.response && error.response.status) || null,
        attributes: serializable(attributes),
      })),
      info: calls(loggingService.logInfo).map(([message, attributes]) => ({
        message: message && message.message !== undefined ? String(message.message) : String(message),
        attributes: serializable(attributes),
      })),
    },
    consoleErrors,
    consoleWarnings,
    packageConsole,
    slots: Object.keys(pluginSlots),
    plugins: (slotConfig.plugins || []).map((plugin) => ({
      op: plugin.op || null,
      id: (plugin.widget && plugin.widget.id) || plugin.widgetId || null,
      type: (plugin.widget && plugin.widget.type) || null,
      priority: (plugin.widget && plugin.widget.priority) ?? null,
    })),
    html: container.innerHTML,
    text: textOf(container, true),
    fullText: textOf(container, false),
    links: Array.from(container.querySelectorAll('a')).map((link) => ({
      href: link.getAttribute('href'),
      text: textOf(link, true),
      fullText: textOf(link, false),
    })),
    images: Array.from(container.querySelectorAll('img')).map((image) => ({
      src: image.getAttribute('src'),
      alt: image.getAttribute('alt'),
      width: image.getAttribute('width'),
      height: image.getAttribute('height'),
    })),
    headings: Array.from(container.querySelectorAll('h1, h2, h3, h4, h5, h6')).map((heading) => ({
      level: Number(heading.tagName.slice(1)),
      text: textOf(heading, false),
    })),
  };
  // axe-core in this window, on the slot alone: the page-level rules (landmarks, a main heading)
  // are the app's page's, not the widget's.
  const axe = require('axe-core'); // eslint-disable-line global-require
  const audit = container.innerHTML ? await axe.run(container, {
    rules: { region: { enabled: false }, 'page-has-heading-one': { enabled: false } },
  }) : { violations: [] };
  result.axe = audit.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(' ')),
  }));
  await act(async () => {
    root.unmount();
  });
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
};

main().catch((error) => {
  process.stderr.write(`${(error && error.stack) || error}\n`);
  process.exit(1);
});
