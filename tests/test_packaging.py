"""The wheel ships every package and data file: setuptools is told the package list
explicitly, so a new subpackage that is not listed would be missing from an installed etmf."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def configuration() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        setuptools: dict[str, object] = tomllib.load(handle)["tool"]["setuptools"]
    return setuptools


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
