"""
Fixtures: Tutor projects rendered with the real tutor and tutor-mfe (no Docker), and the Node.js
scripts that parse the rendered env.config.jsx and render its slots.
"""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
JS = TESTS / "js"
REPO = TESTS.parents[1]

# The settings an operator may set, overridden all at once in the `custom` project. The issuer's
# name has the characters that would break a naively quoted Python string.
OVERRIDES = {
    "DISTINGUISHED_PACKAGE": "git+https://github.com/example/openedx-distinguished.git@v9.9.9",
    "DISTINGUISHED_ISSUER_NAME": 'The "Distinguished" Guild & Co\'s <Badges>',
    "DISTINGUISHED_ISSUER_URL": "https://guild.example.org",
    "DISTINGUISHED_ISSUER_EMAIL": "badges@guild.example.org",
    "DISTINGUISHED_ISSUER_IMAGE": "https://guild.example.org/logo.png",
    "DISTINGUISHED_PUBLIC_BASE_URL": "https://badges.guild.example.org",
    "DISTINGUISHED_PROGRAM_SLUG": "guild-fellows",
    "DISTINGUISHED_REGISTRATION_URL": "https://apps.guild.example.org/authn/register",
    "DISTINGUISHED_K8S_RUN_JOBS_SCHEDULE": "",
}


def package_version():
    """The version of openedx-distinguished in this repository."""
    text = (REPO / "openedx_distinguished" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


class TutorProject:
    """A TUTOR_ROOT, driven through the `tutor` command line as an operator would."""

    def __init__(self, root):
        self.root = Path(root)
        self.env = {
            **{key: value for key, value in os.environ.items() if key != "TUTOR_IGNORE_ENTRYPOINT_PLUGINS"},
            "TUTOR_ROOT": str(self.root),
            # Never pick up the plugins of whoever runs the tests.
            "TUTOR_PLUGINS_ROOT": str(self.root / "plugins-root"),
        }

    def tutor(self, *args):
        """Run `tutor ARGS`; return its standard output."""
        executable = shutil.which("tutor", path=str(Path(sys.executable).parent)) or "tutor"
        done = subprocess.run([executable, *args], env=self.env, capture_output=True, text=True, timeout=120,
                              check=False)
        assert done.returncode == 0, f"tutor {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def python(self, script, *args):
        """Run a Python script in the test's interpreter against this project; return its stdout."""
        done = subprocess.run([sys.executable, "-c", script, str(self.root), *args], env=self.env,
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def read(self, path):
        """A rendered file of the project's env/."""
        return (self.root / "env" / path).read_text(encoding="utf-8")


def make_project(root, overrides=None):
    """Enable the plugins and render the environment, with ``--set`` overrides if any."""
    project = TutorProject(root)
    project.tutor("plugins", "enable", "mfe", "distinguished")
    settings = [arg for key, value in (overrides or {}).items() for arg in ("--set", f"{key}={value}")]
    project.tutor("config", "save", *settings)
    return project


@pytest.fixture(scope="session")
def default_project(tmp_path_factory):
    """A project with the plugin's defaults."""
    return make_project(tmp_path_factory.mktemp("default"))


@pytest.fixture(scope="session")
def custom_project(tmp_path_factory):
    """A project with every OVERRIDES value set."""
    return make_project(tmp_path_factory.mktemp("custom"), OVERRIDES)


@pytest.fixture(scope="session")
def node():
    """Run one of tests/js's scripts with Node.js; return (exit code, stdout, stderr)."""
    if not (JS / "node_modules" / "@babel" / "parser").is_dir():
        pytest.fail(f"Run `npm ci` in {JS} first (`make test-tutor` does).")

    def run(script, *args):
        done = subprocess.run(["node", str(JS / script), *map(str, args)], capture_output=True, text=True,
                              timeout=60, check=False)
        return done.returncode, done.stdout, done.stderr

    return run


@pytest.fixture(scope="session")
def render_slot(node, default_project):
    """
    Render one plugin slot of the default project's env.config.jsx with the real frontend-platform
    and frontend-plugin-framework (slot.js); return what it reports.
    """
    path = default_project.root / "env" / "plugins" / "mfe" / "build" / "mfe" / "env.config.jsx"

    def render(**scenario):
        code, out, err = node("slot.js", path, json.dumps(scenario))
        assert code == 0, err
        return json.loads(out)

    return render
