/*
 * Run the env.config.jsx that tutor-mfe renders as one MFE would, and render the
 * openedx-distinguished profile widget with React against a stubbed LMS.
 *
 * Usage: node run.js <env.config.jsx> '<scenario JSON>'
 * The scenario: {"app": "profile", "pathname": "/profile/u/ada", "status": 200, "data": {...}}
 * (the LMS answers every GET with that status and body).
 * Prints JSON: the slots configured, the URLs requested, the console errors, and the rendered
 * widget (react-test-renderer's toJSON(), null when it renders nothing).
 */
const fs = require('fs');
const babel = require('@babel/core');
const React = require('react');
const TestRenderer = require('react-test-renderer');

const SLOT = 'org.openedx.frontend.profile.additional_profile_fields.v1';
const WIDGET_ID = 'distinguished_profile_badges';

const [file, scenarioJson] = process.argv.slice(2);
const scenario = JSON.parse(scenarioJson);

// The MFE build compiles JSX with the automatic runtime; CommonJS here so modules can be stubbed.
const { code } = babel.transformSync(fs.readFileSync(file, 'utf8'), {
  filename: file,
  babelrc: false,
  configFile: false,
  presets: [[require.resolve('@babel/preset-react'), { runtime: 'automatic' }]],
  plugins: [
    require.resolve('@babel/plugin-transform-modules-commonjs'),
    // import('x') becomes a require('x') that the stubs below answer.
    require.resolve('@babel/plugin-transform-dynamic-import'),
  ],
});

const requests = [];
const errors = [];
const httpClient = {
  get: async (url) => {
    requests.push(url);
    if (scenario.status >= 400) {
      const error = new Error(`Request failed with status code ${scenario.status}`);
      error.response = { status: scenario.status, data: scenario.data };
      throw error;
    }
    return { status: scenario.status, data: scenario.data };
  },
};
const modules = {
  react: React,
  'react/jsx-runtime': require('react/jsx-runtime'),
  '@openedx/frontend-plugin-framework': {
    DIRECT_PLUGIN: 'direct_plugin',
    IFRAME_PLUGIN: 'iframe_plugin',
    PLUGIN_OPERATIONS: { Insert: 'insert', Hide: 'hide', Modify: 'modify', Wrap: 'wrap' },
  },
  '@edx/frontend-platform': { getConfig: () => ({ LMS_BASE_URL: 'https://lms.example.org' }) },
  '@edx/frontend-platform/auth': { getAuthenticatedHttpClient: () => httpClient },
};
const stubRequire = (name) => {
  if (!Object.prototype.hasOwnProperty.call(modules, name)) {
    throw new Error(`env.config.jsx imports ${name}, which every MFE may not have`);
  }
  return modules[name];
};

const sandboxConsole = { ...console, error: (...args) => errors.push(args.map(String).join(' ')) };
const envConfig = { exports: {} };
// eslint-disable-next-line no-new-func
new Function('require', 'module', 'exports', 'process', 'window', 'console', code)(
  stubRequire,
  envConfig,
  envConfig.exports,
  { env: { APP_ID: scenario.app } },
  { location: { pathname: scenario.pathname } },
  sandboxConsole,
);

const main = async () => {
  global.IS_REACT_ACT_ENVIRONMENT = true;
  const config = await envConfig.exports.default();
  const result = { slots: Object.keys(config.pluginSlots), requests, errors, tree: null };
  const plugins = (config.pluginSlots[SLOT] || { plugins: [] }).plugins;
  const plugin = plugins.find((candidate) => candidate.widget && candidate.widget.id === WIDGET_ID);
  if (plugin) {
    result.widget = { op: plugin.op, type: plugin.widget.type, priority: plugin.widget.priority };
    let renderer;
    await TestRenderer.act(async () => {
      renderer = TestRenderer.create(React.createElement(plugin.widget.RenderWidget, { id: WIDGET_ID }));
    });
    // Let the request settle and React apply the state it sets.
    await TestRenderer.act(async () => {
      await new Promise((resolve) => { setTimeout(resolve, 0); });
    });
    result.tree = renderer.toJSON();
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
};

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
