"""
The Tutor plugin: install openedx-distinguished in the openedx image, configure it, initialise
it, schedule its jobs and show members' badges on the learner profile.
"""
from __future__ import annotations

import importlib.resources
import os
import re
import shlex

import click
from tutor import bindmount, hooks
from tutormfe.hooks import PLUGIN_SLOTS

# The slot of the profile MFE (frontend-app-profile) under the learner's profile fields.
PROFILE_SLOT = "org.openedx.frontend.profile.additional_profile_fields.v1"
# The right-hand sidebar of the learner dashboard MFE (frontend-app-learner-dashboard).
DASHBOARD_SLOT = "org.openedx.frontend.learner_dashboard.widget_sidebar.v1"

# The management command a scheduler runs; idempotent, so running it often is harmless.
RUN_JOBS_COMMAND = "./manage.py lms distinguished_run_jobs"

# Every value is a Tutor setting named DISTINGUISHED_<key>: `tutor config save --set
# DISTINGUISHED_ISSUER_NAME="Open edX Community"`. An empty value leaves the LMS plugin's own
# default (documented in openedx_distinguished/conf.py) in force.
CONFIG_DEFAULTS = {
    # What the openedx image installs (see install_steps): a requirement on a package index, a git
    # URL, a wheel's URL or a wheel file on the host; empty: a checkout mounted with `tutor mounts
    # add`, or a requirement the operator put in OPENEDX_EXTRA_PIP_REQUIREMENTS.
    "PACKAGE": "openedx-distinguished==0.2.0",
    # The issuer of the program's Open Badges (DISTINGUISHED_ISSUER in the LMS).
    "ISSUER_NAME": "{{ PLATFORM_NAME }}",
    "ISSUER_URL": "",  # empty: the LMS root URL
    "ISSUER_EMAIL": "{{ CONTACT_EMAIL }}",
    "ISSUER_IMAGE": "",
    # The LMS settings of the same names.
    "PUBLIC_BASE_URL": "",
    "PROGRAM_SLUG": "",
    "REGISTRATION_URL": "",
    # Cron schedule of the Kubernetes CronJob that runs the program's jobs; empty: no CronJob.
    "K8S_RUN_JOBS_SCHEDULE": "17 * * * *",
}

hooks.Filters.CONFIG_DEFAULTS.add_items(
    [(f"DISTINGUISHED_{key}", value) for key, value in CONFIG_DEFAULTS.items()]
)

# A checkout of openedx-distinguished mounted with `tutor mounts add` (its folder keeps the
# repository's name): Tutor installs it in the image (`pip install -e`) and bind-mounts it into the
# LMS containers. Tutor's own pattern for openedx-* folders matches it too; saying so here keeps it
# mounted if that pattern changes.
CHECKOUT_FOLDER = "openedx-distinguished"
hooks.Filters.MOUNTED_DIRECTORIES.add_item(("openedx", CHECKOUT_FOLDER))

# A wheel file on the host reaches the image build through this build context: the folder that
# holds it, mounted with `tutor mounts add`.
WHEELS_CONTEXT = "distinguished-wheels"
_WHEEL = re.compile(r"openedx_distinguished-[^/]*\.whl\Z")
# What, in OPENEDX_EXTRA_PIP_REQUIREMENTS, installs the package (a requirement, a URL, a wheel).
_NAMES_THE_PACKAGE = re.compile(r"openedx[-_.]distinguished", re.I)

# The Dockerfile instructions, as Tutor's own extra requirements are installed.
_PIP = "RUN --mount=type=cache,target=/openedx/.cache/pip,sharing=shared \\\n    $PIP_COMMAND install {}"


def _host_folders(mounts):
    """The host folders of the implicit mounts (`tutor mounts add /host/path`)."""
    return [os.path.abspath(os.path.expanduser(mount)) for mount in mounts
            if not bindmount.parse_explicit_mount(mount)]


def _refuse(message):
    """A build step that stops the build with ``message``: a clear error instead of a later traceback."""
    return f"RUN echo {shlex.quote('openedx-distinguished: ' + message)} >&2 && exit 1"


def install_steps(package: str, mounts: list[str], extra_requirements: list[str]) -> str:
    """
    The openedx image's steps that install openedx-distinguished, once, from where the operator has it:

    * a mounted checkout (a folder named ``openedx-distinguished`` in ``MOUNTS``): Tutor installs it,
      so nothing here, whatever ``package`` says;
    * a requirement in ``OPENEDX_EXTRA_PIP_REQUIREMENTS`` that names the package: Tutor installs it;
    * a wheel file on the host (a path ending in ``.whl``): installed from the folder holding it,
      which must be mounted (`tutor mounts add <folder>`), through the ``distinguished-wheels`` build
      context;
    * anything else pip takes (a requirement on a package index, a git URL, a wheel's URL);
    * empty, with none of the above: a step that stops the build and says what to do.
    """
    package = (package or "").strip()
    folders = _host_folders(mounts or [])
    if any(os.path.basename(folder) == CHECKOUT_FOLDER for folder in folders):
        return "# openedx-distinguished: installed by Tutor from the mounted checkout"
    if any(_NAMES_THE_PACKAGE.search(str(requirement)) for requirement in extra_requirements or []):
        return "# openedx-distinguished: installed by Tutor from OPENEDX_EXTRA_PIP_REQUIREMENTS"
    if not package:
        return _refuse(f"DISTINGUISHED_PACKAGE is empty, which means a checkout mounted with `tutor mounts add "
                       f"/path/to/{CHECKOUT_FOLDER}`, and none is mounted. Mount one, or set DISTINGUISHED_PACKAGE.")
    if package.endswith(".whl") and "://" not in package:
        wheel = os.path.abspath(os.path.expanduser(package))
        folder, name = os.path.split(wheel)
        if not os.path.isfile(wheel):
            return _refuse(f"DISTINGUISHED_PACKAGE is the wheel file {wheel}, which does not exist.")
        if folder not in folders:
            return _refuse(f"DISTINGUISHED_PACKAGE is the wheel file {wheel}: add its folder to the build with "
                           f"`tutor mounts add {folder}`.")
        return _PIP.format(f"/mnt/{WHEELS_CONTEXT}/{shlex.quote(name)}").replace(
            "RUN ", f"RUN --mount=type=bind,from={WHEELS_CONTEXT},target=/mnt/{WHEELS_CONTEXT} ", 1)
    return _PIP.format(shlex.quote(package))


hooks.Filters.ENV_TEMPLATE_VARIABLES.add_item(("distinguished_install_steps", install_steps))


@hooks.Filters.IMAGES_BUILD_MOUNTS.add()
def _mount_wheels(volumes: list[tuple[str, str]], path: str) -> list[tuple[str, str]]:
    """A mounted folder that holds a wheel of openedx-distinguished is a build context of the openedx image."""
    if os.path.isdir(path) and any(_WHEEL.match(name) for name in os.listdir(path)):
        volumes.append(("openedx", WHEELS_CONTEXT))
    return volumes


# `tutor local launch` builds the openedx image, so that the LMS runs with the plugin installed
# (the public image does not have it); `tutor dev launch` builds openedx-dev already.
@hooks.Filters.IMAGES_BUILD_REQUIRED.add()
def _build_openedx_on_launch(image_names: list[str], context_name: str) -> list[str]:
    if context_name == "local" and "openedx" not in image_names:
        image_names.append("openedx")
    return image_names


_PACKAGE_FILES = importlib.resources.files("tutordistinguished")

# Patches: one file per patch name in patches/.
for _patch in (_PACKAGE_FILES / "patches").iterdir():
    if _patch.is_file():
        hooks.Filters.ENV_PATCHES.add_item((_patch.name, _patch.read_text(encoding="utf-8")))

# Init: run on `tutor local launch` and `tutor local do init` (local, dev and k8s alike).
hooks.Filters.CLI_DO_INIT_TASKS.add_item(
    (
        "lms",
        (_PACKAGE_FILES / "templates" / "distinguished" / "tasks" / "lms" / "init").read_text(
            encoding="utf-8"
        ),
    )
)


@click.command(name="distinguished-run-jobs", help="Run the Distinguished Contributor program's scheduled work")
def run_jobs() -> list[tuple[str, str]]:
    """
    `tutor local|dev|k8s do distinguished-run-jobs`: what a host cron calls.
    """
    return [("lms", RUN_JOBS_COMMAND)]


hooks.Filters.CLI_DO_COMMANDS.add_item(run_jobs)
hooks.Filters.ENV_TEMPLATE_VARIABLES.add_item(("DISTINGUISHED_RUN_JOBS_COMMAND", RUN_JOBS_COMMAND))

# The widgets: each component is defined by a mfe-env-config-runtime-definitions-<app> patch, in the
# same block of env.config.jsx as its slot's plugins.
PLUGIN_SLOTS.add_items(
    [
        (
            "profile",
            PROFILE_SLOT,
            """
        {
          op: PLUGIN_OPERATIONS.Insert,
          widget: {
            id: 'distinguished_profile_badges',
            type: DIRECT_PLUGIN,
            priority: 50,
            RenderWidget: distinguishedProfile.Badges,
          },
        }""",
        ),
        # Priority 40: ahead of other widgets inserted at the usual priority (50).
        (
            "learner-dashboard",
            DASHBOARD_SLOT,
            """
        {
          op: PLUGIN_OPERATIONS.Insert,
          widget: {
            id: 'distinguished_dashboard',
            type: DIRECT_PLUGIN,
            priority: 40,
            RenderWidget: distinguishedDashboard.Card,
          },
        }""",
        ),
    ]
)
