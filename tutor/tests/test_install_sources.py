"""
Where the openedx image gets openedx-distinguished from: a package index, a git URL, a wheel's URL,
a wheel file on the host, a checkout mounted with `tutor mounts add`, or the operator's
OPENEDX_EXTRA_PIP_REQUIREMENTS. Each is rendered with the real tutor; the image installs the
package exactly once, and a source that cannot work stops the build with a message saying why.
"""
import json
import re

import pytest
import yaml
from test_rendering import install_lines, installs_of_the_package

from conftest import TutorProject

WHEEL = "openedx_distinguished-0.1.0-py3-none-any.whl"


def project_with(root, package=None, mounts=(), extra=()):
    """A project rendered with DISTINGUISHED_PACKAGE ``package``, ``mounts`` added and ``extra`` requirements."""
    project = TutorProject(root / "tutor-root")
    project.tutor("plugins", "enable", "mfe", "distinguished")
    settings = [] if package is None else ["--set", f"DISTINGUISHED_PACKAGE={package}"]
    for requirement in extra:
        settings += ["--append", f"OPENEDX_EXTRA_PIP_REQUIREMENTS={requirement}"]
    project.tutor("config", "save", *settings)
    for mount in mounts:
        project.tutor("mounts", "add", str(mount))
    return project


def refusal(dockerfile):
    """The message of the step that stops the build, if there is one."""
    found = re.search(r"^RUN echo '(openedx-distinguished: [^']*)' >&2 && exit 1$", dockerfile, re.M)
    return found and found.group(1)


@pytest.fixture
def checkout(tmp_path):
    """A checkout of the repository, in a folder named as the repository is."""
    folder = tmp_path / "src" / "openedx-distinguished"
    (folder / "openedx_distinguished").mkdir(parents=True)
    (folder / "setup.py").write_text("from setuptools import setup\nsetup()\n", encoding="utf-8")
    return folder


@pytest.fixture
def wheel_folder(tmp_path):
    folder = tmp_path / "dist"
    folder.mkdir()
    (folder / WHEEL).write_bytes(b"PK\x03\x04")
    return folder


@pytest.mark.parametrize("package", [
    "openedx-distinguished>=0.1,<0.2",
    "git+https://github.com/example/openedx-distinguished.git@v0.1.0",
    f"https://files.example.org/{WHEEL}",
])
def test_what_pip_takes_is_installed_once_as_given(tmp_path, package):
    dockerfile = project_with(tmp_path, package).read("build/openedx/Dockerfile")
    (line,) = installs_of_the_package(dockerfile)
    assert line.split(" install ", 1)[1] in (package, f"'{package}'")
    assert not refusal(dockerfile)


def test_a_wheel_file_is_installed_from_its_mounted_folder(tmp_path, wheel_folder):
    project = project_with(tmp_path, str(wheel_folder / WHEEL), mounts=[wheel_folder])
    dockerfile = project.read("build/openedx/Dockerfile")
    assert installs_of_the_package(dockerfile) == [f"$PIP_COMMAND install /mnt/distinguished-wheels/{WHEEL}"]
    assert ("RUN --mount=type=bind,from=distinguished-wheels,target=/mnt/distinguished-wheels "
            "--mount=type=cache,target=/openedx/.cache/pip,sharing=shared \\\n"
            f"    $PIP_COMMAND install /mnt/distinguished-wheels/{WHEEL}") in dockerfile
    # `tutor images build openedx` passes the folder as that build context.
    (mount,) = yaml.safe_load(project.tutor("mounts", "list"))
    assert mount["build_mounts"] == [{"image": "openedx", "context": "distinguished-wheels"}]
    assert mount["compose_mounts"] == []  # nothing is mounted into the running containers


def test_a_wheel_file_whose_folder_is_not_mounted_stops_the_build(tmp_path, wheel_folder):
    dockerfile = project_with(tmp_path, str(wheel_folder / WHEEL)).read("build/openedx/Dockerfile")
    assert installs_of_the_package(dockerfile) == []
    assert refusal(dockerfile) == (f"openedx-distinguished: DISTINGUISHED_PACKAGE is the wheel file "
                                   f"{wheel_folder / WHEEL}: add its folder to the build with "
                                   f"`tutor mounts add {wheel_folder}`.")


def test_a_missing_wheel_file_stops_the_build(tmp_path, wheel_folder):
    dockerfile = project_with(tmp_path, str(wheel_folder / "openedx_distinguished-9.9.9-py3-none-any.whl"),
                              mounts=[wheel_folder]).read("build/openedx/Dockerfile")
    assert "does not exist" in refusal(dockerfile) and installs_of_the_package(dockerfile) == []


@pytest.mark.parametrize("package", ["", None])
def test_a_mounted_checkout_is_installed_by_tutor_alone(tmp_path, checkout, package):
    """Empty means mounted; and a mounted checkout wins over a version left in the setting."""
    project = project_with(tmp_path, package, mounts=[checkout])
    dockerfile = project.read("build/openedx/Dockerfile")
    assert installs_of_the_package(dockerfile) == ['RUN $PIP_COMMAND install -e "/mnt/openedx-distinguished"']
    assert "# openedx-distinguished: installed by Tutor from the mounted checkout" in dockerfile
    (mount,) = yaml.safe_load(project.tutor("mounts", "list"))
    assert {"image": "openedx", "context": "mnt-openedx-distinguished"} in mount["build_mounts"]
    assert {"service": "openedx", "container_path": "/mnt/openedx-distinguished"} in mount["compose_mounts"]


def test_empty_and_nothing_mounted_stops_the_build(tmp_path):
    dockerfile = project_with(tmp_path, "").read("build/openedx/Dockerfile")
    assert installs_of_the_package(dockerfile) == []
    assert "DISTINGUISHED_PACKAGE is empty" in refusal(dockerfile)
    assert "tutor mounts add /path/to/openedx-distinguished" in refusal(dockerfile)


@pytest.mark.parametrize("package", ["", "openedx-distinguished==0.1.0"])
def test_the_operators_extra_requirement_is_the_only_install(tmp_path, package):
    requirement = "openedx-distinguished @ git+https://git.example.org/fork/openedx-distinguished.git@main"
    dockerfile = project_with(tmp_path, package, extra=[requirement]).read("build/openedx/Dockerfile")
    assert installs_of_the_package(dockerfile) == [f"$PIP_COMMAND install '{requirement}'"]
    assert not refusal(dockerfile)


def test_a_requirement_with_shell_characters_is_quoted(tmp_path):
    package = "openedx-distinguished>=0.1; python_version >= '3.11'"
    dockerfile = project_with(tmp_path, package).read("build/openedx/Dockerfile")
    (line,) = installs_of_the_package(dockerfile)
    assert line == "$PIP_COMMAND install 'openedx-distinguished>=0.1; python_version >= '\"'\"'3.11'\"'\"''"


def test_tutor_local_launch_builds_the_openedx_image(default_project):
    """So that `launch` never runs the public image, which does not have the plugin."""
    required = json.loads(default_project.python(
        "import json, sys\n"
        "import tutor.commands.cli\n"
        "from tutor import hooks\n"
        "hooks.Actions.CORE_READY.do()\n"
        "hooks.Actions.PROJECT_ROOT_READY.do(sys.argv[1])\n"
        "from tutor import config as tutor_config\n"
        "tutor_config.load(sys.argv[1])\n"
        "json.dump({c: hooks.Filters.IMAGES_BUILD_REQUIRED.apply([], c) for c in ('local', 'dev')}, sys.stdout)\n"))
    assert "openedx" in required["local"]
    assert "openedx-dev" in required["dev"]


def test_install_lines_see_every_stage_the_lms_runs():
    """The helper the tests count with reads the production stage too (where mounted checkouts install)."""
    dockerfile = ("FROM python AS python-requirements\nRUN $PIP_COMMAND install a\nFROM python AS node\n"
                  "RUN $PIP_COMMAND install b\nFROM minimal AS production\nRUN $PIP_COMMAND install c\n"
                  "FROM production AS development\nRUN $PIP_COMMAND install d\n")
    assert install_lines(dockerfile) == ["RUN $PIP_COMMAND install a", "RUN $PIP_COMMAND install c"]
