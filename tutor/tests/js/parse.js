/*
 * Parse a JSX file with Babel's parser (as the MFE build would) and print what the tests check.
 *
 * Usage: node parse.js <file.jsx>
 * Exit 0 with a JSON summary on stdout; exit 1 with the syntax error on stderr.
 * The summary: every addPlugins(config, '<slot>', [...]) call with the APP_ID block it is in and
 * its plugins (op, widget id, type, RenderWidget source), the declared variable names, the JSX
 * elements with their attribute names, and the string literals (template literals' parts too).
 */
const fs = require('fs');
const { parse } = require('@babel/parser');

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node parse.js <file.jsx>\n');
  process.exit(2);
}
const source = fs.readFileSync(file, 'utf8');

let ast;
try {
  ast = parse(source, { sourceType: 'module', plugins: ['jsx'] });
} catch (error) {
  process.stderr.write(`${file}: ${error.message}\n`);
  process.exit(1);
}

const summary = { slots: [], variables: [], jsxElements: [], strings: [] };
const text = (node) => source.slice(node.start, node.end);

// The APP_ID of an `if (process.env.APP_ID == '<app>')` test, else null.
const appIdOf = (test) => {
  if (test.type !== 'BinaryExpression' || !['==', '==='].includes(test.operator)) {
    return null;
  }
  return text(test.left) === 'process.env.APP_ID' && test.right.type === 'StringLiteral' ? test.right.value : null;
};

const property = (object, name) => {
  const found = object.properties.find(
    (prop) => prop.type === 'ObjectProperty' && !prop.computed
      && (prop.key.name === name || prop.key.value === name),
  );
  return found ? found.value : null;
};

const describePlugin = (plugin) => {
  if (plugin.type !== 'ObjectExpression') {
    return { source: text(plugin) };
  }
  const op = property(plugin, 'op');
  const widget = property(plugin, 'widget');
  const field = (name) => {
    const value = widget && widget.type === 'ObjectExpression' ? property(widget, name) : null;
    if (!value) {
      return null;
    }
    return value.type === 'StringLiteral' || value.type === 'NumericLiteral' ? value.value : text(value);
  };
  return {
    op: op ? text(op) : null,
    widget: { id: field('id'), type: field('type'), priority: field('priority'), RenderWidget: field('RenderWidget') },
  };
};

const walk = (node, apps) => {
  if (Array.isArray(node)) {
    node.forEach((child) => walk(child, apps));
    return;
  }
  if (!node || typeof node.type !== 'string') {
    return;
  }
  switch (node.type) {
    case 'IfStatement': {
      const app = appIdOf(node.test);
      if (app) {
        walk(node.test, apps);
        walk(node.consequent, [...apps, app]);
        walk(node.alternate, apps);
        return;
      }
      break;
    }
    case 'CallExpression':
      if (node.callee.type === 'Identifier' && node.callee.name === 'addPlugins'
          && node.arguments.length === 3 && node.arguments[1].type === 'StringLiteral'
          && node.arguments[2].type === 'ArrayExpression') {
        summary.slots.push({
          app: apps.length ? apps[apps.length - 1] : null,
          slot: node.arguments[1].value,
          plugins: node.arguments[2].elements.map(describePlugin),
        });
      }
      break;
    case 'VariableDeclarator':
      if (node.id.type === 'Identifier') {
        summary.variables.push(node.id.name);
      }
      break;
    case 'JSXElement': {
      const { name, attributes } = node.openingElement;
      summary.jsxElements.push({
        name: text(name),
        attributes: attributes.filter((attr) => attr.type === 'JSXAttribute').map((attr) => text(attr.name)),
      });
      break;
    }
    case 'StringLiteral':
      summary.strings.push(node.value);
      break;
    case 'TemplateElement':
      summary.strings.push(node.value.cooked);
      break;
    default:
      break;
  }
  Object.keys(node).forEach((key) => {
    if (!['loc', 'start', 'end', 'extra', 'leadingComments', 'trailingComments', 'innerComments'].includes(key)) {
      walk(node[key], apps);
    }
  });
};

walk(ast.program, []);
process.stdout.write(`${JSON.stringify(summary)}\n`);
