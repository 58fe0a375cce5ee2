"""
The init task (`tutor local do init`, `tutor local launch`) and the `do distinguished-run-jobs` job.

Tutor renders init tasks when it runs them, not into env/: the tests ask Tutor for them as its
`do init` command does, then run the script with `sh -e` (as Tutor does in the lms-job
container) against a stand-in for edx-platform's manage.py.
"""
import json
import os
import stat
import subprocess

import pytest

from conftest import REPO

# What `tutor <local|dev|k8s> do init` iterates over, rendered with the project's configuration.
INIT_TASKS = """
import json, sys
import tutor.commands.cli  # registers the core init tasks, as the tutor command does
from tutor import config as tutor_config, env as tutor_env, hooks

hooks.Actions.CORE_READY.do()
hooks.Actions.PROJECT_ROOT_READY.do(sys.argv[1])
config = tutor_config.load(sys.argv[1])
ours = list(hooks.Filters.CLI_DO_INIT_TASKS.iterate_from_context(hooks.Contexts.app("distinguished").name))
json.dump([
    {"service": service, "ours": (service, task) in ours, "script": tutor_env.render_str(config, task)}
    for service, task in hooks.Filters.CLI_DO_INIT_TASKS.iterate()
], sys.stdout)
"""

# Stands in for ./manage.py: records its arguments; fails where FAILS names the command.
FAKE_MANAGE_PY = """#!/bin/sh
echo "$*" >> "$MANAGE_CALLS"
if [ -n "$FAILS" ] && [ "$2" = "$FAILS" ]; then
    echo "Traceback: the LMS could not start" >&2
    exit 1
fi
"""


@pytest.fixture(scope="module")
def init_tasks(default_project):
    return json.loads(default_project.python(INIT_TASKS))


@pytest.fixture(scope="module")
def init_script(init_tasks):
    (task,) = [task for task in init_tasks if task["ours"]]
    assert task["service"] == "lms"
    return task["script"]


def test_init_runs_after_the_platform_migrations(init_tasks):
    lms_tasks = [task for task in init_tasks if task["service"] == "lms"]
    core = next(i for i, task in enumerate(lms_tasks) if "./manage.py lms migrate\n" in task["script"])
    ours = next(i for i, task in enumerate(lms_tasks) if task["ours"])
    assert core < ours


# Stands in for the image's python: the plugin importable or not, as INSTALLED says.
FAKE_PYTHON = """#!/bin/sh
if [ "$1" = "-c" ] && [ "$2" = "import openedx_distinguished" ] && [ "$INSTALLED" != "yes" ]; then
    echo "ModuleNotFoundError: No module named 'openedx_distinguished'" >&2
    exit 1
fi
"""


def run_init(script, tmp_path, fails="", installed=True, output=None):
    """
    Run the init script as Tutor does; return (exit code, the manage.py commands it ran). With
    ``output`` (a dict), what it wrote to stderr is put in ``output["stderr"]``.
    """
    for name, text in (("manage.py", FAKE_MANAGE_PY), ("bin/python", FAKE_PYTHON)):
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    calls = tmp_path / "calls"
    calls.touch()
    env = {**os.environ, "MANAGE_CALLS": str(calls), "FAILS": fails, "INSTALLED": "yes" if installed else "no",
           "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["sh", "-e", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=30, check=False)
    if output is not None:
        output["stderr"] = done.stderr
    commands = calls.read_text(encoding="utf-8").splitlines()
    return done.returncode, commands


def test_init_migrates_loads_the_program_and_makes_a_key_only_if_missing(init_script, tmp_path):
    # The command itself leaves an existing key alone (tests/test_credentials.py): init can run again.
    code, commands = run_init(init_script, tmp_path)
    assert code == 0
    assert commands == ["lms migrate openedx_distinguished", "lms load_distinguished_program",
                        "lms create_distinguished_signing_key --if-missing",
                        "lms reissue_distinguished_credentials"]


def test_a_failing_step_fails_the_init(init_script, tmp_path):
    code, commands = run_init(init_script, tmp_path, fails="load_distinguished_program")
    assert code != 0
    assert commands == ["lms migrate openedx_distinguished", "lms load_distinguished_program"]


def test_an_image_without_the_plugin_stops_the_init_with_what_to_do(init_script, tmp_path, default_project):
    """The public image (a launch without a build, or --pullimages) has no plugin: say so, migrate nothing."""
    output = {}
    code, commands = run_init(init_script, tmp_path, installed=False, output=output)
    assert code != 0 and commands == []
    image = default_project.tutor("config", "printvalue", "DOCKER_IMAGE_OPENEDX").strip()
    assert output["stderr"].splitlines()[0] == f"openedx-distinguished is not installed in the image {image}."
    assert "tutor images build openedx" in output["stderr"] and "tutor images push openedx" in output["stderr"]
    assert "Traceback" not in output["stderr"]


def test_the_script_uses_what_the_lms_plugin_provides(init_script):
    commands = {path.stem for path in (REPO / "openedx_distinguished" / "management" / "commands").glob("*.py")}
    for used in ("load_distinguished_program", "create_distinguished_signing_key", "reissue_distinguished_credentials",
                 "distinguished_run_jobs"):
        assert used in commands
    key_command = (REPO / "openedx_distinguished" / "management" / "commands"
                   / "create_distinguished_signing_key.py").read_text(encoding="utf-8")
    assert "--if-missing" in init_script and '"--if-missing"' in key_command


def test_a_do_job_runs_the_scheduled_work(default_project):
    assert "distinguished-run-jobs" in default_project.tutor("local", "do", "--help")
    tasks = json.loads(default_project.python(
        "import json, sys\n"
        "from tutordistinguished.plugin import run_jobs\n"
        "json.dump(run_jobs.callback(), sys.stdout)\n"))
    assert tasks == [["lms", "./manage.py lms distinguished_run_jobs"]]
