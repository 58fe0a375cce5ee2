"""
Sphinx extension of the openedx-distinguished site: the references, generated from the plugin.

Directives (each writes reStructuredText and parses it in place, so the generated text follows the
page's own section levels: ``*`` for a section, ``=`` below it, ``-`` below that):

``.. distinguished-settings::``
    Every setting of ``openedx_distinguished.conf``: its default as the code has it, and the
    description of its ``.. setting_name:`` annotation. A setting without an annotation, an
    annotation without a setting, or an annotated default that differs from the code's is a
    warning (an error with ``-W``).
``.. distinguished-openapi::`` and ``.. distinguished-openapi-schemas::``
    The REST API, from the OpenAPI document drf-spectacular generates for the plugin's schema
    endpoint (same generator, URL configuration and settings as ``SchemaView``): every path and
    method with its parameters, request body and responses, then every component schema. The
    document itself is written next to the HTML as ``openapi.json``. drf-spectacular's own
    warnings fail the build, except those listed in ``distinguished_openapi_known_warnings``.
``.. distinguished-events::`` and ``.. distinguished-event-receivers::``
    The Open edX events the plugin sends (``openedx_distinguished.signals.signals``: type, payload
    fields) and the platform events it listens to (the receivers connected with an
    ``openedx_distinguished.`` dispatch uid).
``.. distinguished-filters::``
    The Open edX filters of ``openedx_distinguished.filters``.
``.. distinguished-commands::``
    The management commands, with the options their parsers define.

It also maps links between ``.rst`` files (which GitHub follows) to the pages of the site, see
``distinguished_rst_links`` in ``conf.py``.
"""
import ast
import inspect
import json
import os
import pkgutil
import pprint
import re
from argparse import SUPPRESS
from importlib import import_module

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

logger = logging.getLogger(__name__)

PACKAGE = "openedx_distinguished"

# Title underlines, from the page's sections downwards (the pages use # for their title).
LEVELS = ("*", "=", "-", "~")


def title(text, level):
    """A section title of ``level`` (0: a section of the page) as reStructuredText lines."""
    return [text, LEVELS[level] * max(len(text), 4), ""]


def literal(value):
    """``value`` as inline literal text (reStructuredText has no escape inside literals)."""
    text = str(value)
    if not text.strip():
        return "(empty)"
    if "`" in text or text != text.strip():
        escaped = text.strip().replace("\\", "\\\\").replace("`", "\\`")
        return f":literal:`{escaped}`"
    return f"``{text}``"


def indent(text, spaces):
    """``text`` (one or more lines) indented by ``spaces``, first line included."""
    pad = " " * spaces
    return "\n".join(pad + line if line.strip() else "" for line in str(text).splitlines())


def package_path(*parts):
    """The path of a file of the plugin's package."""
    return os.path.join(os.path.dirname(import_module(PACKAGE).__file__), *parts)


class GeneratedDirective(SphinxDirective):
    """A directive whose content is reStructuredText made by ``lines()``, parsed in place."""

    has_content = False
    option_spec = {"level": directives.nonnegative_int}
    source_name = "generated"

    def title(self, text, level):
        """A section title ``level`` below the directive's own level (option ``:level:``, default 0)."""
        return title(text, level + self.options.get("level", 0))

    def lines(self):
        """The generated reStructuredText, as a list of lines."""
        raise NotImplementedError

    def depend_on(self, *paths):
        """Rebuild the page when one of ``paths`` changes."""
        for path in paths:
            self.env.note_dependency(path)

    def run(self):
        source = f"<{self.source_name}>"
        content = StringList()
        for number, line in enumerate(self.lines()):
            for part in str(line).split("\n"):
                content.append(part, source, number)
        node = nodes.section()
        node.document = self.state.document
        nested_parse_with_titles(self.state, content, node)
        return node.children


# --------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------

ANNOTATION = re.compile(r"^#\s*\.\.\s+(setting_\w+):\s?(.*)$")


def setting_annotations(path):
    """
    The ``.. setting_*:`` annotations of the file at ``path``, by setting name: each a dict of its
    annotation keys (``setting_default``, ``setting_description``, ...) and ``line``.
    Continuation lines are comment lines indented under an annotation.
    """
    found, current, key = {}, None, None
    with open(path, encoding="utf-8") as handle:
        for number, raw in enumerate(handle, 1):
            line = raw.strip()
            match = ANNOTATION.match(line)
            if match:
                key, value = match.groups()
                if key == "setting_name":
                    current = found[value] = {"line": number}
                elif current is not None:
                    current[key] = value.strip()
                continue
            continued = re.match(r"^#\s{2,}(\S.*)$", line)
            if continued and current is not None and key:
                current[key] = f"{current[key]} {continued.group(1).strip()}".strip()
                continue
            key = None
    return found


def split_default(text):
    """An annotated default as (value, note): ``"" (the LMS's LMS_ROOT_URL)`` -> ("", "the LMS's ...")."""
    try:
        return ast.literal_eval(text), ""
    except (ValueError, SyntaxError):
        pass
    match = re.match(r"^(.*?)\s+\((.*)\)$", text)
    if match:
        try:
            return ast.literal_eval(match.group(1)), match.group(2)
        except (ValueError, SyntaxError):
            pass
    raise ValueError(text)


class SettingsDirective(GeneratedDirective):
    """``.. distinguished-settings::``: every plugin setting with its default and description."""

    source_name = "openedx_distinguished.conf"

    def lines(self):
        conf = import_module(f"{PACKAGE}.conf")
        path = inspect.getsourcefile(conf)
        self.depend_on(path)
        annotations = setting_annotations(path)
        for name in sorted(set(annotations) - set(conf.DEFAULTS)):
            logger.warning("%s is annotated in %s but is not in DEFAULTS", name, path,
                           location=self.get_location())
        out = []
        for name in sorted(conf.DEFAULTS):
            value = conf.DEFAULTS[name]
            annotation = annotations.get(name)
            if annotation is None:
                logger.warning("The setting %s has no '.. setting_name:' annotation in %s", name, path,
                               location=self.get_location())
                annotation = {}
            note = ""
            if "setting_default" in annotation:
                try:
                    annotated, note = split_default(annotation["setting_default"])
                except ValueError:
                    annotated, note = value, ""
                    logger.warning("%s: cannot read the annotated default %r", name, annotation["setting_default"],
                                   location=self.get_location())
                if annotated != value:
                    logger.warning("%s: the annotated default %r is not the code's %r", name, annotated, value,
                                   location=self.get_location())
            out += [f".. _setting-{name}:", ""]
            out += self.title(name, 0)
            shown = pprint.pformat(value, width=90, sort_dicts=False)
            if "\n" in shown:
                out += ["**Default**" + (f" ({note})" if note else "") + ":", "", ".. code-block:: python", "",
                        indent(shown, 3), ""]
            else:
                out += [f"**Default**: {literal(shown)}" + (f" ({note})" if note else ""), ""]
            out += [annotation.get("setting_description", ""), ""]
            if annotation.get("setting_warning") not in (None, "", "None", "n/a", "N/A"):
                out += [".. warning::", "", indent(annotation["setting_warning"], 3), ""]
        return out


# --------------------------------------------------------------------------------------------
# Events and filters
# --------------------------------------------------------------------------------------------

def source_order(module, objects):
    """``objects`` (defined in ``module``) in the order of their definition."""
    text = inspect.getsource(module)

    def position(item):
        name, _ = item
        match = re.search(rf"^(class\s+{re.escape(name)}\b|{re.escape(name)}\s*=)", text, re.M)
        return match.start() if match else len(text)
    return sorted(objects, key=position)


def event_annotations(path):
    """The ``.. event_*:`` annotations of a signals module, by event name."""
    found, current = {}, {}
    with open(path, encoding="utf-8") as handle:
        for raw in handle:
            match = re.match(r"^#\s*\.\.\s+(event_\w+):\s?(.*)$", raw.strip())
            if not match:
                if current.get("event_name"):
                    found[current["event_name"]] = current
                current = {}
                continue
            current[match.group(1)] = match.group(2).strip()
    return found


def type_name(annotation):
    """A readable name of an attrs field's type."""
    if annotation is None:
        return "any"
    if isinstance(annotation, type):
        return annotation.__name__ if annotation.__module__ == "builtins" else \
            f"{annotation.__module__}.{annotation.__qualname__}"
    return str(annotation).replace("typing.", "")


def docstring(obj):
    """The cleaned docstring of ``obj``, or an empty string."""
    return inspect.cleandoc(obj.__doc__) if obj.__doc__ else ""


class EventsDirective(GeneratedDirective):
    """``.. distinguished-events::``: the plugin's own Open edX events and their payloads."""

    source_name = "openedx_distinguished.signals.signals"

    def lines(self):
        import attr  # pylint: disable=import-outside-toplevel
        from openedx_events.tooling import OpenEdxPublicSignal  # pylint: disable=import-outside-toplevel

        module = import_module(f"{PACKAGE}.signals.signals")
        path = inspect.getsourcefile(module)
        self.depend_on(path)
        annotations = event_annotations(path)
        signals = [(name, value) for name, value in vars(module).items() if isinstance(value, OpenEdxPublicSignal)]
        out = []
        for name, signal in source_order(module, signals):
            annotation = annotations.get(name, {})
            if annotation.get("event_type") != signal.event_type:
                logger.warning("%s: its '.. event_type:' annotation does not say %s", name, signal.event_type,
                               location=self.get_location())
            out += [f".. _event-{signal.event_type}:", ""]
            out += self.title(signal.event_type, 0)
            description = annotation.get("event_description", "")
            if description:
                out += [description[0].upper() + description[1:] + ("" if description.endswith(".") else "."), ""]
            out += [f":Signal: {literal(f'{module.__name__}.{name}')}"]
            for key, data_class in signal.init_data.items():
                out += [f":Payload: {literal(key)}: {literal(data_class.__name__)}"]
            out += [""]
            for key, data_class in signal.init_data.items():
                doc = docstring(data_class)
                out += [f"{doc}" if doc else "", ""]
                out += [".. list-table::", "   :header-rows: 1", "   :widths: 30 20", "",
                        "   * - field", "     - type"]
                for field in attr.fields(data_class):
                    out += [f"   * - {literal(f'{key}.{field.name}')}", f"     - {literal(type_name(field.type))}"]
                out += [""]
        return out


class EventReceiversDirective(GeneratedDirective):
    """``.. distinguished-event-receivers::``: the platform's events the plugin listens to."""

    source_name = "openedx_distinguished.signals.handlers"

    def lines(self):
        from openedx_events.learning import signals as learning  # pylint: disable=import-outside-toplevel
        from openedx_events.tooling import OpenEdxPublicSignal  # pylint: disable=import-outside-toplevel

        self.depend_on(package_path("signals", "handlers.py"))
        out = [".. list-table::", "   :header-rows: 1", "   :widths: 25 35 40", "",
               "   * - event", "     - event type", "     - what the plugin does"]
        for name, signal in sorted(vars(learning).items()):
            if not isinstance(signal, OpenEdxPublicSignal):
                continue
            for entry in signal.receivers:
                lookup, reference = entry[0], entry[1]
                uid = lookup[0]
                if not (isinstance(uid, str) and uid.startswith(f"{PACKAGE}.")):
                    continue
                receiver = reference() if callable(reference) and not inspect.isfunction(reference) else reference
                doc = docstring(receiver).split("\n\n")[0].replace("\n", " ")
                out += [f"   * - {literal(name)}", f"     - {literal(signal.event_type)}", f"     - {doc}"]
        return out + [""]


class FiltersDirective(GeneratedDirective):
    """``.. distinguished-filters::``: the plugin's Open edX filters."""

    source_name = "openedx_distinguished.filters"

    def lines(self):
        from openedx_filters.exceptions import OpenEdxFilterException  # pylint: disable=import-outside-toplevel
        from openedx_filters.tooling import OpenEdxPublicFilter  # pylint: disable=import-outside-toplevel

        module = import_module(f"{PACKAGE}.filters")
        self.depend_on(inspect.getsourcefile(module))
        filters = [(name, value) for name, value in vars(module).items()
                   if inspect.isclass(value) and issubclass(value, OpenEdxPublicFilter)
                   and value.__module__ == module.__name__]
        out = []
        for name, filter_class in source_order(module, filters):
            out += [f".. _filter-{filter_class.filter_type}:", ""]
            out += self.title(filter_class.filter_type, 0)
            out += [docstring(filter_class), ""]
            out += [f":Class: {literal(f'{module.__name__}.{name}')}"]
            run = filter_class.run_filter
            signature = str(inspect.signature(run)).replace("openedx_distinguished.data.", "").replace("typing.", "")
            out += [f":Called as: {literal(f'{name}.run_filter{signature}')}"]
            out += [f":Pipeline step arguments: {', '.join(literal(p) for p in inspect.signature(run).parameters)}"]
            out += [""]
            if docstring(run):
                out += [docstring(run), ""]
            for attribute, value in vars(filter_class).items():
                if inspect.isclass(value) and issubclass(value, OpenEdxFilterException):
                    out += [f"``{name}.{attribute}``", indent(docstring(value) or "A pipeline step raises it.", 4), ""]
        return out


# --------------------------------------------------------------------------------------------
# Management commands
# --------------------------------------------------------------------------------------------

class CommandsDirective(GeneratedDirective):
    """``.. distinguished-commands::``: every management command and its options."""

    source_name = "openedx_distinguished.management.commands"

    def lines(self):
        from django.core.management import load_command_class  # pylint: disable=import-outside-toplevel
        from django.core.management.base import BaseCommand  # pylint: disable=import-outside-toplevel

        commands = import_module(f"{PACKAGE}.management.commands")
        common = {action.dest for action in BaseCommand().create_parser("manage.py", "x")._actions}
        out = []
        for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda info: info.name):
            if info.name.startswith("_"):
                continue
            self.depend_on(os.path.join(commands.__path__[0], f"{info.name}.py"))
            command = load_command_class(PACKAGE, info.name)
            parser = command.create_parser("./manage.py lms", info.name)
            options = [action for action in parser._actions  # pylint: disable=protected-access
                       if action.dest not in common and action.help != SUPPRESS]
            usage = [f"./manage.py lms {info.name}"]
            for action in options:
                flag = action.option_strings[0] if action.option_strings else action.dest
                part = flag if action.nargs == 0 else f"{flag} {action.metavar or action.dest.upper()}"
                usage.append(part if action.required else f"[{part}]")
            out += [f".. _command-{info.name}:", ""]
            out += self.title(info.name, 0)
            out += [command.help.rstrip(".") + ".", "", ".. code-block:: text", "", indent(" ".join(usage), 3), ""]
            out += [docstring(type(command)), ""]
            if options:
                out += ["Options:", ""]
                for action in options:
                    flags = ", ".join(action.option_strings) or action.dest
                    value = "" if action.nargs == 0 else f" {action.metavar or action.dest.upper()}"
                    out += [f"{literal(flags + value)}"]
                    facts = []
                    if action.required:
                        facts.append("required")
                    if action.type is int:
                        facts.append("a whole number")
                    if action.choices:
                        facts.append("one of " + ", ".join(literal(choice) for choice in action.choices))
                    if getattr(action, "default", None) not in (None, False, SUPPRESS):
                        facts.append(f"default {literal(action.default)}")
                    if action.__class__.__name__ == "_AppendAction":
                        facts.append("may be repeated")
                    text = (action.help or "").strip()
                    if facts:
                        text = (text + " " if text else "") + f"({'; '.join(facts)})"
                    out += [indent(text or "A flag.", 4), ""]
            else:
                out += ["No options of its own (Django's common ones, such as ``--verbosity``, apply).", ""]
        return out


# --------------------------------------------------------------------------------------------
# REST API (OpenAPI)
# --------------------------------------------------------------------------------------------

_SCHEMA = {}


def openapi_document(app=None):
    """
    The plugin's OpenAPI document, made once per build the way its schema endpoint makes it.
    drf-spectacular's warnings and errors become Sphinx warnings (known ones: information).
    """
    if "document" in _SCHEMA:
        return _SCHEMA["document"]
    # pylint: disable=import-outside-toplevel
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.settings import patched_settings

    from openedx_distinguished.rest_api.v1.schema import SchemaView

    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence(), patched_settings(SchemaView.custom_settings):
        generator = SchemaView.generator_class(urlconf=SchemaView.urlconf, api_version=SchemaView.api_version)
        document = generator.get_schema(request=None, public=True)
    known = app.config.distinguished_openapi_known_warnings if app else []
    for severity, cache in (("warning", GENERATOR_STATS._warn_cache),  # pylint: disable=protected-access
                            ("error", GENERATOR_STATS._error_cache)):  # pylint: disable=protected-access
        for message in sorted(cache):
            plain = re.sub(r"\x1b\[[0-9;]*m", "", message)
            if severity == "warning" and any(text in plain for text in known):
                logger.info("drf-spectacular (known): %s", plain)
            else:
                logger.warning("drf-spectacular %s: %s", severity, plain)
    GENERATOR_STATS.reset()
    # Plain JSON types only (lazy translation strings, decimals).
    _SCHEMA["document"] = json.loads(json.dumps(document, default=str))
    return _SCHEMA["document"]


BACKTICKS = re.compile(r"(?<![`\w\\])`([^`\n]+)`(?![`_\w])")
ENUM_DESCRIPTION = re.compile(r"^\* `[^`]*` - .*$")


def prose(text):
    """
    An OpenAPI description as reStructuredText. The plugin's docstrings are reStructuredText;
    drf-spectacular's own words use Markdown's single backticks, read here as literals.
    """
    return BACKTICKS.sub(r"``\1``", (text or "").strip())


def schema_name(reference):
    """``#/components/schemas/Name`` -> ``Name``."""
    return reference.rsplit("/", 1)[-1]


def schema_link(name):
    """A cross-reference to a component schema's section."""
    return f":ref:`{name} <openapi-schema-{name.lower()}>`"


def type_text(schema):
    """What a schema is, in a few words, with links to component schemas."""
    if not schema:
        return "any"
    if "$ref" in schema:
        name = schema_name(schema["$ref"])
        return "null" if name == "NullEnum" else schema_link(name)
    for combinator, word in (("allOf", " and "), ("oneOf", " or "), ("anyOf", " or ")):
        if combinator in schema:
            return word.join(type_text(part) for part in schema[combinator])
    kind = schema.get("type")
    if kind == "array":
        return f"array of {type_text(schema.get('items', {}))}"
    if kind == "object":
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            return f"object of {type_text(extra)} by key"
        if schema.get("properties"):
            return "object with " + ", ".join(literal(name) for name in schema["properties"])
        return "object"
    text = kind or ("null" if schema.get("enum") == [None] else "any")
    if schema.get("format"):
        text += f" ({schema['format']})"
    return text


def constraints(schema, required=False):
    """The facts about a value a reader checks: required, nullable, read-only, limits, enum."""
    facts = []
    if required:
        facts.append("required")
    if schema.get("nullable"):
        facts.append("nullable")
    if schema.get("readOnly"):
        facts.append("read-only")
    if schema.get("writeOnly"):
        facts.append("write-only")
    for key, words in (("minLength", "at least {} characters"), ("maxLength", "at most {} characters"),
                       ("minimum", "at least {}"), ("maximum", "at most {}"),
                       ("minItems", "at least {} items"), ("maxItems", "at most {} items")):
        if key in schema:
            facts.append(words.format(schema[key]))
    if "pattern" in schema:
        facts.append(f"matches {literal(schema['pattern'])}")
    if "default" in schema:
        facts.append(f"default {literal(json.dumps(schema['default']))}")
    if schema.get("enum") and schema.get("enum") != [None]:
        facts.append("one of " + ", ".join(literal(json.dumps(v) if v is None else v) for v in schema["enum"]))
    return facts


def described(schema, facts):
    """A cell of a table: the description, then the facts."""
    parts = []
    description = schema.get("description", "")
    if description and not all(ENUM_DESCRIPTION.match(line) for line in description.splitlines()):
        parts.append(prose(description))
    if facts:
        parts.append(facts[0][0].upper() + "; ".join(facts)[1:] + ".")
    return "\n\n".join(parts) or "\\ "


def table(widths, header, rows):
    """A list-table; each row a list of cells (reStructuredText, possibly several lines)."""
    out = [".. list-table::", "   :header-rows: 1", f"   :widths: {' '.join(map(str, widths))}", ""]
    for row in [header] + rows:
        for index, cell in enumerate(row):
            text = str(cell) if str(cell).strip() else "\\ "
            first, *rest = text.split("\n")
            out.append(f"   {'*' if index == 0 else ' '} - {first}")
            out += [indent(line, 7) if line.strip() else "" for line in rest]
    return out + [""]


def media_list(content):
    """``application/json``, ``multipart/form-data`` ... of a request or response."""
    return ", ".join(literal(media) for media in content)


def body_lines(content):
    """What a request or response body holds, per media type (grouped when they are the same)."""
    groups = []
    for media, spec in content.items():
        text = type_text(spec.get("schema", {}))
        for group in groups:
            if group[0] == text:
                group[1].append(media)
                break
        else:
            groups.append((text, [media]))
    return [f"{text} as {', '.join(literal(media) for media in medias)}" for text, medias in groups]


METHODS = ("get", "post", "put", "patch", "delete")


def tag_order():
    """The API's sections in the order of its URL configuration (first path segments)."""
    urls = import_module(f"{PACKAGE}.rest_api.v1.urls")
    order = []
    for pattern in urls.urlpatterns:
        segment = str(pattern.pattern).split("/", 1)[0]
        if segment and segment not in order and not segment.startswith("^"):
            order.append(segment)
    return order


class OpenApiDirective(GeneratedDirective):
    """``.. distinguished-openapi::``: every path and method of the REST API."""

    source_name = "openapi"

    def security_text(self, requirements, schemes):
        """How a caller authenticates for one operation."""
        names, anonymous = [], False
        for requirement in requirements or []:
            if not requirement:
                anonymous = True
            for name in requirement:
                scheme = schemes.get(name, {})
                where = ""
                if scheme.get("name") and scheme.get("in"):
                    where = f" ({literal(scheme['name'])} {scheme['in']})"
                names.append(f"{literal(name)}{where}")
        text = " or ".join(names) or "none"
        return text + ("; anonymous callers too" if anonymous and names else "")

    def lines(self):
        for name in os.listdir(package_path("rest_api", "v1")):
            if name.endswith(".py"):
                self.depend_on(package_path("rest_api", "v1", name))
        document = openapi_document(self.env.app)
        titles = self.config.distinguished_openapi_tag_titles
        schemes = document.get("components", {}).get("securitySchemes", {})
        operations = {}
        for path, item in document["paths"].items():
            for method in METHODS:
                if method in item:
                    operation = item[method]
                    tag = (operation.get("tags") or ["other"])[0]
                    operations.setdefault(tag, []).append((path, method, operation, item.get("parameters", [])))
        order = tag_order()
        prefix = os.path.commonprefix(list(document["paths"]))
        prefix = prefix[:prefix.rfind("/") + 1]
        out = []
        for tag in sorted(operations, key=lambda tag: (order.index(tag) if tag in order else len(order), tag)):
            out += self.title(titles.get(tag, tag.replace("-", " ").capitalize()), 0)
            for path, method, operation, shared in operations[tag]:
                operation_id = operation.get("operationId", f"{method}-{path}")
                out += [f".. _openapi-op-{operation_id.lower()}:", ""]
                out += self.title(f"{method.upper()} {path[len(prefix):] or path}", 1)
                if operation.get("deprecated"):
                    out += [".. warning:: Deprecated.", ""]
                if operation.get("summary"):
                    out += [f"**{prose(operation['summary'])}**", ""]
                out += [prose(operation.get("description", "")) or "No description.", ""]
                out += [f":Request: {literal(f'{method.upper()} {path}')}",
                        f":Operation: {literal(operation_id)}",
                        f":Authentication: {self.security_text(operation.get('security'), schemes)}", ""]
                parameters = list(shared) + list(operation.get("parameters", []))
                if parameters:
                    rows = []
                    for parameter in parameters:
                        schema = parameter.get("schema", {})
                        facts = constraints(schema, required=parameter.get("required", False))
                        rows.append([literal(parameter["name"]), parameter["in"], type_text(schema),
                                     described({**schema, "description": parameter.get("description", "")}, facts)])
                    out += ["**Parameters**", ""]
                    out += table((20, 10, 20, 50), ["name", "in", "type", "description"], rows)
                body = operation.get("requestBody")
                if body:
                    out += ["**Request body**" + (" (required)" if body.get("required") else "") + ": "
                            + "; ".join(body_lines(body.get("content", {}))) + ".", ""]
                    if body.get("description"):
                        out += [prose(body["description"]), ""]
                out += ["**Responses**", ""]
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content")
                    what = "; ".join(body_lines(content)) if content else ""
                    words = prose(response.get("description", ""))
                    line = f"* {literal(status)}"
                    line += f": {what}" if what else ""
                    line += f" — {words}" if words else ("" if what else ": no body")
                    out.append(line)
                out += [""]
        return out


class OpenApiSchemasDirective(GeneratedDirective):
    """``.. distinguished-openapi-schemas::``: every component schema of the REST API."""

    source_name = "openapi-schemas"

    def lines(self):
        document = openapi_document(self.env.app)
        out = []
        for name, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
            if name == "NullEnum":
                continue
            out += [f".. _openapi-schema-{name.lower()}:", ""]
            out += self.title(name, 0)
            description = schema.get("description", "")
            if description and not all(ENUM_DESCRIPTION.match(line) for line in description.splitlines()):
                out += [prose(description), ""]
            if "enum" in schema:
                out += [f"A {schema.get('type', 'value')}, one of:", ""]
                out += [f"* {literal(value)}" for value in schema["enum"]] + [""]
                continue
            properties = schema.get("properties", {})
            if not properties:
                out += [f"Type: {type_text(schema)}.", ""]
                continue
            required = set(schema.get("required", []))
            rows = [[literal(field), type_text(spec), described(spec, constraints(spec, field in required))]
                    for field, spec in properties.items()]
            out += table((25, 25, 50), ["field", "type", "description"], rows)
        return out


def write_openapi(app, exception):
    """Put the OpenAPI document beside the HTML pages, as ``openapi.json``."""
    if exception is None and app.builder.format == "html":
        with open(os.path.join(app.outdir, "openapi.json"), "w", encoding="utf-8") as handle:
            json.dump(openapi_document(app), handle, indent=2, sort_keys=False)
            handle.write("\n")


# --------------------------------------------------------------------------------------------
# Links between .rst files
# --------------------------------------------------------------------------------------------

def map_rst_links(app, doctree):
    """
    Turn a link to an ``.rst`` file (``decisions/0008-email-outbox.rst``, ``../tutor/README.rst``)
    into a link to the page of the site that shows it. GitHub follows the file links; the site
    needs its pages. An ``.rst`` file the site does not show is a warning.
    """
    env = app.env
    docname = env.docname
    source_dir = os.path.dirname(env.doc2path(docname))
    repo_root = os.path.dirname(app.srcdir)
    mapped = app.config.distinguished_rst_links
    for reference in list(doctree.findall(nodes.reference)):
        uri = reference.get("refuri", "")
        if not uri or "://" in uri or uri.startswith(("#", "mailto:")):
            continue
        path, _, anchor = uri.partition("#")
        if not path.endswith(".rst"):
            continue
        target = os.path.normpath(os.path.join(source_dir, path))
        relative_to_docs = os.path.relpath(target, app.srcdir)
        relative_to_repo = os.path.relpath(target, repo_root)
        if not relative_to_docs.startswith(".."):
            page = relative_to_docs[:-len(".rst")].replace(os.sep, "/")
        elif relative_to_repo in mapped:
            page = mapped[relative_to_repo]
        else:
            logger.warning("a link to %s, which the site does not show: list it in distinguished_rst_links",
                           uri, location=reference)
            continue
        xref = addnodes.pending_xref("", refdomain="std", reftype="doc", reftarget="/" + page,
                                     refexplicit=True, refwarn=True, refdoc=docname)
        xref += nodes.inline("", reference.astext(), classes=["xref", "std", "std-doc"])
        if anchor:
            logger.warning("a link to a part of a page (%s) cannot be mapped; link the page", uri,
                           location=reference)
        reference.replace_self(xref)


# --------------------------------------------------------------------------------------------
# :adr:`N`
# --------------------------------------------------------------------------------------------

def adr_role(name, rawtext, text, lineno, inliner, options=None, content=None):  # pylint: disable=unused-argument
    """
    ``:adr:`13``` links to the decision record ``decisions/0013-*.rst`` as "ADR 13"; an unknown
    number is an error.
    """
    env = inliner.document.settings.env
    try:
        number = int(text)
    except ValueError:
        message = inliner.reporter.error(f"An ADR number, not {text!r}.", line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    prefix = f"decisions/{number:04d}-"
    found = sorted(doc for doc in env.found_docs if doc.startswith(prefix))
    if not found:
        message = inliner.reporter.error(f"No decision record {number} (docs/{prefix}*.rst).", line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    xref = addnodes.pending_xref(rawtext, refdomain="std", reftype="doc", reftarget="/" + found[0],
                                 refexplicit=True, refwarn=True, refdoc=env.docname)
    xref += nodes.inline(rawtext, f"ADR {number}", classes=["xref", "std", "std-doc"])
    return [xref], []


def setup(app):
    """Register the directives, the link mapping and the OpenAPI document's output."""
    app.add_config_value("distinguished_rst_links", {}, "env")
    app.add_config_value("distinguished_openapi_known_warnings", [], "env")
    app.add_config_value("distinguished_openapi_tag_titles", {}, "env")
    app.add_directive("distinguished-settings", SettingsDirective)
    app.add_directive("distinguished-openapi", OpenApiDirective)
    app.add_directive("distinguished-openapi-schemas", OpenApiSchemasDirective)
    app.add_directive("distinguished-events", EventsDirective)
    app.add_directive("distinguished-event-receivers", EventReceiversDirective)
    app.add_directive("distinguished-filters", FiltersDirective)
    app.add_directive("distinguished-commands", CommandsDirective)
    app.add_role("adr", adr_role)
    app.connect("doctree-read", map_rst_links)
    app.connect("build-finished", write_openapi)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
