"""
The Tutor plugin: install openedx-distinguished in the openedx image, configure it, initialise
it, schedule its jobs and show members' badges on the learner profile.
"""
from __future__ import annotations

import importlib.resources

import click
from tutor import hooks
from tutormfe.hooks import PLUGIN_SLOTS

# The slot of the profile MFE (frontend-app-profile) under the learner's profile fields.
PROFILE_SLOT = "org.openedx.frontend.profile.additional_profile_fields.v1"

# The management command a scheduler runs; idempotent, so running it often is harmless.
RUN_JOBS_COMMAND = "./manage.py lms distinguished_run_jobs"

# Every value is a Tutor setting named DISTINGUISHED_<key>: `tutor config save --set
# DISTINGUISHED_ISSUER_NAME="Open edX Community"`. An empty value leaves the LMS plugin's own
# default (documented in openedx_distinguished/conf.py) in force.
CONFIG_DEFAULTS = {
    # What the openedx image installs: a pip requirement, e.g. a version or a git URL.
    "PACKAGE": "openedx-distinguished==0.1.0",
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

# The profile widget: the component is defined by the mfe-env-config-runtime-definitions-profile
# patch, in the same block of env.config.jsx as this slot's plugins.
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
        )
    ]
)
