"""
What `tutor config save` renders: the openedx image, the LMS settings and the Kubernetes CronJob.
"""
import ast
import re

import pytest
import yaml

from conftest import OVERRIDES, REPO, package_version

LMS_ROOT_URL = "http://local.openedx.io"


def install_lines(dockerfile):
    """The pip install lines of the stages that make the image the LMS runs."""
    stages = re.findall(r"^FROM python AS python-requirements$(.*?)^FROM |^FROM minimal AS production$(.*?)^FROM ",
                        dockerfile, re.M | re.S)
    text = "".join(part for stage in stages for part in stage)
    return [line.strip() for line in text.splitlines() if "$PIP_COMMAND install" in line]


def installs_of_the_package(dockerfile):
    """The install lines that install openedx-distinguished (by name, URL, wheel or mounted checkout)."""
    return [line for line in install_lines(dockerfile) if re.search(r"openedx[-_]distinguished", line)]


def test_the_image_installs_this_version_by_default(default_project):
    lines = installs_of_the_package(default_project.read("build/openedx/Dockerfile"))
    assert lines == [f"$PIP_COMMAND install openedx-distinguished=={package_version()}"]


def test_the_images_translation_pull_finds_the_plugin(default_project):
    """
    The image pulls and compiles the plugins' translations (pull_plugin_translations, which finds
    plugins by their lms.djangoapp entry point) in the production stage, after it copied the virtualenv
    in which the python-requirements stage installed the plugin (docs/translations.rst, ADR 0024).
    """
    dockerfile = default_project.read("build/openedx/Dockerfile")
    install = dockerfile.index(f"$PIP_COMMAND install openedx-distinguished=={package_version()}")
    requirements_stage = dockerfile.rindex("FROM python AS python-requirements", 0, install)
    production = dockerfile.index("FROM minimal AS production")
    assert requirements_stage < install < production
    copy = dockerfile.index("--from=python-requirements /openedx/venv /openedx/venv", production)
    pull = dockerfile.index("pull_plugin_translations", production)
    compile_ = dockerfile.index("compile_plugin_translations", pull)
    assert production < copy < pull < compile_


def test_the_operator_chooses_what_the_image_installs(custom_project):
    dockerfile = custom_project.read("build/openedx/Dockerfile")
    assert installs_of_the_package(dockerfile) == [f"$PIP_COMMAND install {OVERRIDES['DISTINGUISHED_PACKAGE']}"]
    assert "openedx-distinguished==" not in dockerfile


def distinguished_settings(source):
    """The DISTINGUISHED_* assignments of a rendered settings module, evaluated."""
    values = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and node.targets[0].id.startswith("DISTINGUISHED_"):
            expression = compile(ast.Expression(node.value), "<settings>", "eval")
            values[node.targets[0].id] = eval(expression, {"LMS_ROOT_URL": LMS_ROOT_URL})  # pylint: disable=eval-used
    return values


@pytest.mark.parametrize("module", ["production", "development"])
def test_lms_settings_by_default(default_project, module):
    settings = distinguished_settings(default_project.read(f"apps/openedx/settings/lms/{module}.py"))
    assert settings == {"DISTINGUISHED_ISSUER": {
        "name": default_project.tutor("config", "printvalue", "PLATFORM_NAME").strip(),
        "url": "",  # the site's root when a badge is made: LMS_ROOT_URL as tutor dev completes it
        "email": default_project.tutor("config", "printvalue", "CONTACT_EMAIL").strip(),
        "image": "",
    }}


@pytest.mark.parametrize("module", ["production", "development"])
def test_lms_settings_set_by_the_operator(custom_project, module):
    settings = distinguished_settings(custom_project.read(f"apps/openedx/settings/lms/{module}.py"))
    assert settings == {
        "DISTINGUISHED_ISSUER": {
            "name": OVERRIDES["DISTINGUISHED_ISSUER_NAME"],
            "url": OVERRIDES["DISTINGUISHED_ISSUER_URL"],
            "email": OVERRIDES["DISTINGUISHED_ISSUER_EMAIL"],
            "image": OVERRIDES["DISTINGUISHED_ISSUER_IMAGE"],
        },
        "DISTINGUISHED_PUBLIC_BASE_URL": OVERRIDES["DISTINGUISHED_PUBLIC_BASE_URL"],
        "DISTINGUISHED_PROGRAM_SLUG": OVERRIDES["DISTINGUISHED_PROGRAM_SLUG"],
        "DISTINGUISHED_REGISTRATION_URL": OVERRIDES["DISTINGUISHED_REGISTRATION_URL"],
    }


def test_every_rendered_setting_is_one_the_lms_plugin_documents(custom_project):
    conf = (REPO / "openedx_distinguished" / "conf.py").read_text(encoding="utf-8")
    documented = set(re.findall(r"^# \.\. setting_name: (\w+)$", conf, re.M))
    rendered = distinguished_settings(custom_project.read("apps/openedx/settings/lms/production.py"))
    assert set(rendered) <= documented


def test_the_cms_is_left_alone(custom_project):
    assert "DISTINGUISHED_" not in custom_project.read("apps/openedx/settings/cms/production.py")


def cron_jobs(project):
    return [doc for doc in yaml.safe_load_all(project.read("k8s/deployments.yml"))
            if doc and doc.get("kind") == "CronJob"]


def test_kubernetes_runs_the_jobs_hourly_by_default(default_project):
    (cron_job,) = cron_jobs(default_project)
    assert cron_job["metadata"]["name"] == "distinguished-run-jobs"
    assert cron_job["spec"]["schedule"] == "17 * * * *"
    assert cron_job["spec"]["concurrencyPolicy"] == "Forbid"
    pod = cron_job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"] == default_project.tutor("config", "printvalue", "DOCKER_IMAGE_OPENEDX").strip()
    assert container["args"] == ["sh", "-e", "-c", "./manage.py lms distinguished_run_jobs"]
    assert {"name": "DJANGO_SETTINGS_MODULE", "value": "lms.envs.tutor.production"} in container["env"]
    # The same settings as the LMS's own job.
    assert {volume["configMap"]["name"] for volume in pod["volumes"]} == {
        "openedx-settings-lms", "openedx-settings-cms", "openedx-config"}


def test_an_empty_schedule_means_no_cron_job(custom_project):
    assert cron_jobs(custom_project) == []
