# Offline stand-in for ansible-test's pip bootstrap script (get-pip.py), which it downloads from a
# host this machine cannot reach. ansible-test runs it inside a fresh sanity venv with pip install
# arguments (e.g. "--disable-pip-version-check pip==24.2 --no-setuptools --no-wheel"): seed pip from
# the interpreter's bundled ensurepip wheel, then let that pip install what was asked from the
# configured package index.
import subprocess
import sys

args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, "-m", "pip", "install", "-q"] + args)
