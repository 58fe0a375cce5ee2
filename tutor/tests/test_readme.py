"""
The operator's commands in README.rst are the ones tested: each way of getting openedx-distinguished
into the image, and the Kubernetes image names, run as written (host paths moved to a temporary
folder) with the real tutor.
"""
import re
import shlex

import yaml
from test_install_sources import installs_of_the_package, refusal

from conftest import TESTS, TutorProject

README = (TESTS.parent / "README.rst").read_text(encoding="utf-8")


def code_under(heading):
    """The shell lines of the code blocks in the section ``heading``, continuation lines joined."""
    section = re.search(rf"^{re.escape(heading)}\n[=*]+\n(.*?)(?=^\S[^\n]*\n[=*]+\n)", README, re.M | re.S).group(1)
    lines = [line[3:] for line in section.splitlines() if line.startswith("   ")]
    return re.sub(r"\\\n\s*", "", "\n".join(lines)).splitlines()


def groups(lines):
    """The commands of each example: runs of commands after their comment lines."""
    found, current = [], []
    for line in lines:
        if line.startswith("#"):
            if current:
                found.append(current)
            current = []
        elif line.strip():
            current.append(line.split("  #")[0].strip())
    return found + [current] if current else found


def run(project, command, moves):
    for old, new in moves.items():
        command = command.replace(old, new)
    words = shlex.split(command)
    assert words[0] == "tutor", command
    return project.tutor(*words[1:])


def test_every_source_the_readme_gives_installs_the_package_once(tmp_path):
    examples = groups(code_under("Where the openedx image gets openedx-distinguished"))
    assert len(examples) == 5
    wheels, checkout = tmp_path / "wheels", tmp_path / "src" / "openedx-distinguished"
    wheels.mkdir()
    (wheel,) = {found for example in examples for command in example
                for found in re.findall(r"/srv/wheels/([^\s\"']+\.whl)", command)}
    (wheels / wheel).write_bytes(b"PK\x03\x04")
    (checkout / "openedx_distinguished").mkdir(parents=True)
    moves = {"/srv/wheels": str(wheels), "/srv/src/openedx-distinguished": str(checkout)}
    for number, commands in enumerate(examples):
        project = TutorProject(tmp_path / f"root-{number}")
        project.tutor("plugins", "enable", "mfe", "distinguished")
        for command in commands:
            run(project, command, moves)
        dockerfile = project.read("build/openedx/Dockerfile")
        assert len(installs_of_the_package(dockerfile)) == 1 and not refusal(dockerfile), commands


def test_the_kubernetes_images_are_the_operators(tmp_path):
    commands = [command for command in code_under("Kubernetes (``tutor k8s``)") if "config save" in command]
    project = TutorProject(tmp_path)
    project.tutor("plugins", "enable", "mfe", "distinguished")
    for command in commands:
        run(project, command, {})
    image = project.tutor("config", "printvalue", "DOCKER_IMAGE_OPENEDX").strip()
    assert image.startswith("registry.example.org/")
    assert project.tutor("config", "printvalue", "MFE_DOCKER_IMAGE").strip().startswith("registry.example.org/")
    documents = [doc for doc in yaml.safe_load_all(project.read("k8s/deployments.yml")) if doc]
    images = {doc["metadata"]["name"]: {container["image"] for container in (
        doc["spec"]["jobTemplate"]["spec"]["template"]["spec"] if doc["kind"] == "CronJob"
        else doc["spec"]["template"]["spec"])["containers"]} for doc in documents}
    assert images["lms"] == images["distinguished-run-jobs"] == {image}
