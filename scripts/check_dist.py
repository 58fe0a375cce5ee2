"""
Check what `make dist` built (after `twine check`): one sdist and one wheel of each distribution,
at the version their sources name; every file of the packages tracked by git in the wheels (the
templates, static files, program data, JSON-LD contexts, migrations, patches); the sdists carrying
what their builds read; the Tutor plugin's default installing this release; and a CHANGELOG entry
for it.

    python scripts/check_dist.py dist/
"""
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def version_in(path, name="__version__"):
    text = (REPO / path).read_text(encoding="utf-8")
    return re.search(rf'^{name} = "([^"]+)"', text, re.M).group(1)


def tracked(folder):
    """The files git tracks under ``folder`` (relative to the repository), but caches."""
    listed = subprocess.run(["git", "ls-files", folder], cwd=REPO, capture_output=True, text=True, check=True)
    return {line for line in listed.stdout.splitlines() if "__pycache__" not in line}


def one(dist, pattern):
    """The one file in ``dist`` that matches ``pattern``."""
    found = sorted(dist.glob(pattern))
    if len(found) != 1:
        raise SystemExit(f"{dist}: expected one {pattern}, found {[path.name for path in found]}")
    return found[0]


def check_wheel(wheel, package_folder, prefix=""):
    """Every tracked file of ``package_folder`` is in ``wheel`` (at its path under ``prefix``)."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    missing = sorted(path for path in tracked(package_folder) if path.removeprefix(prefix) not in names)
    if missing:
        raise SystemExit(f"{wheel.name} lacks {len(missing)} file(s): {missing[:10]}")
    return names


def check_sdist(sdist, needed):
    """Every path of ``needed`` is in ``sdist`` (under its top folder)."""
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    missing = sorted(set(needed) - names)
    if missing:
        raise SystemExit(f"{sdist.name} lacks {missing}")


def main(dist):
    """Check the release in the folder ``dist``; exit with the first problem found."""
    dist = Path(dist)
    version = version_in("openedx_distinguished/__init__.py")
    tutor_version = version_in("tutor/tutordistinguished/__about__.py")
    wheel = one(dist, f"openedx_distinguished-{version}-py3-none-any.whl")
    names = check_wheel(wheel, "openedx_distinguished")
    for kind in ("templates/", "static/", "program_data/", "jsonld/", "migrations/0001"):
        if not any(name.startswith(f"openedx_distinguished/{kind}") for name in names):
            raise SystemExit(f"{wheel.name} has no {kind}")
    check_sdist(one(dist, f"openedx_distinguished-{version}.tar.gz"),
                ["setup.py", "README.rst", "CHANGELOG.rst", "requirements/base.in",
                 *tracked("openedx_distinguished")])

    tutor_wheel = one(dist, f"tutor_contrib_distinguished-{tutor_version}-py3-none-any.whl")
    check_wheel(tutor_wheel, "tutor/tutordistinguished", prefix="tutor/")
    check_sdist(one(dist, f"tutor_contrib_distinguished-{tutor_version}.tar.gz"),
                ["pyproject.toml", "README.rst",
                 *(path.removeprefix("tutor/") for path in tracked("tutor/tutordistinguished"))])

    default = re.search(r'"PACKAGE": "([^"]*)"', (REPO / "tutor/tutordistinguished/plugin.py").read_text("utf-8"))
    if default.group(1) != f"openedx-distinguished=={version}":
        raise SystemExit(f"The Tutor plugin installs {default.group(1)!r} by default, not this release ({version})")
    changelog = (REPO / "CHANGELOG.rst").read_text(encoding="utf-8")
    if not re.search(rf"^{re.escape(version)} – \d{{4}}-\d\d-\d\d$", changelog, re.M):
        raise SystemExit(f"CHANGELOG.rst has no entry for {version} (a heading '{version} – YYYY-MM-DD')")
    print(f"openedx-distinguished {version}: {wheel.name} ({len(names)} files) and its sdist; "
          f"tutor-contrib-distinguished {tutor_version}: {tutor_wheel.name} and its sdist. All checked.")


if __name__ == "__main__":
    main(*sys.argv[1:])
