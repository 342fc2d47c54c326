"""The wheel ships every package and data file: setuptools is told the package list and the
data patterns explicitly, so a new subpackage or data file that is not listed would be missing
from an installed etmf."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def configuration() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        setuptools: dict[str, object] = tomllib.load(handle)["tool"]["setuptools"]
    return setuptools


def package_folder(package: str, package_dir: dict[str, str]) -> Path:
    """Where setuptools finds ``package``: its ``package-dir`` entry or its nearest parent's."""
    parts = package.split(".")
    for cut in range(len(parts), 0, -1):
        parent = ".".join(parts[:cut])
        if parent in package_dir:
            return ROOT / package_dir[parent] / "/".join(parts[cut:])
    return ROOT / "/".join(parts)


def test_every_package_folder_is_listed() -> None:
    listed = set(configuration()["packages"])  # type: ignore[call-overload]
    folders = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "etmf").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert folders - listed == set(), "package folders missing from pyproject.toml"
    for folder in folders:
        assert (ROOT / folder.replace(".", "/") / "__init__.py").is_file(), folder


def test_data_folders_are_shipped_with_their_files() -> None:
    setuptools = configuration()
    listed = set(setuptools["packages"])  # type: ignore[call-overload]
    package_dir: dict[str, str] = setuptools["package-dir"]  # type: ignore[assignment]
    data: dict[str, list[str]] = setuptools["package-data"]  # type: ignore[assignment]
    for package, folder in package_dir.items():
        assert package in listed
        assert (ROOT / folder / "__init__.py").is_file(), folder
    for package, patterns in data.items():
        folder = ROOT / package_dir.get(package, package.replace(".", "/"))
        for pattern in patterns:
            assert list(folder.glob(pattern)), f"{package}: nothing matches {pattern}"
    assert {"etmf.rules", "etmf.country_profiles", "etmf.schemas"} <= set(data)


def test_every_tracked_file_of_the_packages_is_shipped() -> None:
    """Each file git tracks in a package folder is a module of a listed package or matches a
    package-data pattern: a new data file left out of the wheel fails here."""
    setuptools = configuration()
    packages: list[str] = setuptools["packages"]  # type: ignore[assignment]
    package_dir: dict[str, str] = setuptools["package-dir"]  # type: ignore[assignment]
    data: dict[str, list[str]] = setuptools["package-data"]  # type: ignore[assignment]
    shipped: set[Path] = set()
    for package in packages:
        folder = package_folder(package, package_dir)
        patterns = ["*.py", *data.get(package, []), *data.get("*", []), *data.get("", [])]
        shipped |= {path for pattern in patterns for path in folder.glob(pattern) if path.is_file()}
    roots = sorted({package_folder(p, package_dir).relative_to(ROOT).parts[0] for p in packages})
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--", *roots], cwd=ROOT, capture_output=True, check=True
    )
    tracked = {ROOT / name for name in listing.stdout.decode("utf-8").split("\0") if name}
    assert len(tracked) > len(packages)
    left_out = sorted(str(path.relative_to(ROOT)) for path in tracked - shipped)
    assert left_out == [], f"no package-data pattern in pyproject.toml ships {left_out}"
