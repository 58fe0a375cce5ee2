"""
Install the wheel `make dist` built, alone, into a clean virtualenv (its dependencies at the pins of
requirements/py3XX/base.txt) and check it there, away from the source tree: Django's system checks
under the test settings, the migrations, the program load, and a server answering the public pages,
a badge document, the badge artwork and a static file.

    python scripts/check_wheel.py dist/
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run(*args, **kwargs):
    print("+", " ".join(str(arg) for arg in args), flush=True)
    return subprocess.run([str(arg) for arg in args], check=True, **kwargs)


def fetch(url):
    """(status, content type, body) of a GET that does not follow redirects."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=20) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def free_port():
    """A TCP port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(dist):
    """Check the wheel of openedx-distinguished in ``dist``, then the Tutor plugin's."""
    (wheel,) = Path(dist).resolve().glob("openedx_distinguished-*.whl")
    pins = REPO / "requirements" / f"py3{sys.version_info[1]}" / "base.txt"
    with tempfile.TemporaryDirectory(prefix="distinguished-wheel-") as temp:
        temp = Path(temp)
        venv, site = temp / "venv", temp / "site"
        run(sys.executable, "-m", "venv", venv)
        python = venv / "bin" / "python"
        run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-c", pins, wheel)
        # The settings the tests use, and nothing else of the repository.
        site.mkdir()
        for name in ("test_settings.py", "test_urls.py"):
            shutil.copy(REPO / name, site / name)
        env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "DJANGO", "VIRTUAL"))}
        env.update(DJANGO_SETTINGS_MODULE="test_settings", PYTHONPATH=str(site))
        where = run(python, "-c", "import openedx_distinguished as p; print(p.__file__, p.__version__)", cwd=site,
                    env=env, capture_output=True, text=True).stdout.split()
        if not where[0].startswith(str(venv)):
            raise SystemExit(f"openedx_distinguished was imported from {where[0]}, not the wheel")
        print(f"openedx-distinguished {where[1]} from {where[0]}")
        django = [python, "-m", "django"]
        run(*django, "check", "--fail-level", "WARNING", cwd=site, env=env)
        run(*django, "migrate", "--verbosity", "0", cwd=site, env=env)
        run(*django, "load_distinguished_program", cwd=site, env=env)
        run(*django, "create_distinguished_signing_key", "--if-missing", cwd=site, env=env)

        port = free_port()
        # Stopped in the finally below.
        # pylint: disable-next=consider-using-with
        server = subprocess.Popen([*map(str, django), "runserver", "--noreload", "--insecure", f"127.0.0.1:{port}"],
                                  cwd=site, env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    fetch(base + "/distinguished/")
                    break
                except OSError:
                    time.sleep(0.2)
            expectations = [
                ("/distinguished/", 200, "text/html", b"Distinguished"),
                ("/distinguished/program/", 200, "text/html", b"Distinguished"),
                ("/distinguished/badges/v3/achievements/engineer/", 200, "application/ld+json", b"Achievement"),
                ("/distinguished/badges/art/engineer.svg", 200, "image/svg+xml", b"<svg"),
                ("/static/openedx_distinguished/badges/engineer.svg", 200, "image/svg+xml", b"<svg"),
                ("/distinguished/nominate/", 302, "", b""),
            ]
            for path, status, content_type, text in expectations:
                got_status, got_type, body = fetch(base + path)
                if got_status != status or not got_type.startswith(content_type) or text not in body:
                    raise SystemExit(f"GET {path}: {got_status} {got_type!r}, wanted {status} {content_type!r} "
                                     f"with {text!r}")
                print(f"GET {path}: {got_status} {got_type}")
        finally:
            server.terminate()
            server.wait(timeout=20)
    print(f"{wheel.name}, installed alone: checks, migrations, program load and pages all pass.")
    check_tutor_wheel(Path(dist).resolve(), version=where[1])


def check_tutor_wheel(dist, version):
    """The Tutor plugin's wheel, installed alone with tutor and tutor-mfe: enabled, it renders its patches."""
    (wheel,) = dist.glob("tutor_contrib_distinguished-*.whl")
    pins = REPO / "requirements" / f"py3{sys.version_info[1]}" / "tutor.txt"
    with tempfile.TemporaryDirectory(prefix="distinguished-tutor-wheel-") as temp:
        temp = Path(temp)
        run(sys.executable, "-m", "venv", temp / "venv")
        run(temp / "venv" / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "-c", pins, wheel)
        env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL", "TUTOR"))}
        env.update(TUTOR_ROOT=str(temp / "root"), TUTOR_PLUGINS_ROOT=str(temp / "plugins"))
        tutor = temp / "venv" / "bin" / "tutor"
        run(tutor, "plugins", "enable", "mfe", "distinguished", env=env, stdout=subprocess.DEVNULL)
        run(tutor, "config", "save", env=env, stdout=subprocess.DEVNULL)
        dockerfile = (temp / "root" / "env" / "build" / "openedx" / "Dockerfile").read_text(encoding="utf-8")
        settings = (temp / "root" / "env" / "apps" / "openedx" / "settings" / "lms" / "production.py").read_text(
            encoding="utf-8")
        jsx = (temp / "root" / "env" / "plugins" / "mfe" / "build" / "mfe" / "env.config.jsx").read_text(
            encoding="utf-8")
        for where, text in ((dockerfile, f"$PIP_COMMAND install openedx-distinguished=={version}"),
                            (settings, "DISTINGUISHED_ISSUER = {"), (jsx, "distinguished_profile_badges")):
            if text not in where:
                raise SystemExit(f"The Tutor plugin's wheel did not render {text!r}")
    print(f"{wheel.name}, installed alone with tutor and tutor-mfe: its patches render (openedx {version}).")


if __name__ == "__main__":
    main(*sys.argv[1:])
