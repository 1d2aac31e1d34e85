# Copyright 2026 The service_contract authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The build backend of pyproject.toml: OCA's whool, for a repository that IS
the add-on.

whool names the distribution and the folder in the wheel
(``odoo/addons/<name>``) after the add-on's folder. An OCA repository holds
each add-on in a folder of its name; this repository's root is the add-on,
cloned into a folder of any name. So each build copies the add-on's files into
a temporary folder named ``service_contract`` and lets whool build from there:
the files git knows (tracked, or new and not ignored; never ``.dev/``), as
they are in the working tree. The wheel leaves out the developer tooling
(``.ci/``, ``tools/``), the sdist keeps them (a wheel built from the sdist
is the same as from the repository: whool reads the name and version from
its PKG-INFO). The version is the manifest's, as it is (``[tool.whool]`` in
pyproject.toml).
"""

import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from whool import buildapi

ADDON = "service_contract"
# Not part of the installed add-on: the CI entry point and the developer tooling.
DEV_ONLY = (".ci/", "tools/", ".gitignore")
# Never copied when git is not there to tell (a source archive).
NEVER = {".git", ".dev", "build", "dist", "__pycache__", ".pytest_cache", ".ruff_cache"}


def _source_files(root):
    try:
        out = subprocess.check_output(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            stderr=subprocess.DEVNULL,
        )
    except (OSError, subprocess.CalledProcessError):
        return sorted(
            str(path.relative_to(root))
            for path in root.rglob("*")
            if path.is_file()
            and not NEVER.intersection(path.relative_to(root).parts)
            and path.suffix != ".pyc"
        )
    return sorted({name for name in out.decode().split("\0") if name})


@contextmanager
def _addon_copy(with_dev_files):
    """Yield a temporary copy of the add-on in a folder named ADDON."""
    root = Path.cwd()
    with tempfile.TemporaryDirectory() as tmp:
        dst = Path(tmp, ADDON)
        dst.mkdir()
        for name in _source_files(root):
            if not with_dev_files and name.startswith(DEV_ONLY):
                continue
            src = root / name
            if not src.is_file():  # deleted in the working tree, not yet in git
                continue
            (dst / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / name)
        os.chdir(dst)
        try:
            yield
        finally:
            os.chdir(root)


def _in_copy(function, with_dev_files=False):
    def hook(directory, *args, **kwargs):
        directory = os.path.abspath(directory)
        with _addon_copy(with_dev_files):
            return function(directory, *args, **kwargs)

    hook.__name__ = function.__name__
    return hook


build_wheel = _in_copy(buildapi.build_wheel)
build_sdist = _in_copy(buildapi.build_sdist, with_dev_files=True)
prepare_metadata_for_build_wheel = _in_copy(buildapi.prepare_metadata_for_build_wheel)
