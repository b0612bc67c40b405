"""A site on the example dataset (and one on the bundled dataset), driven in process through Starlette's client."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from doesittrain.settings import BUNDLED_DATASET
from doesittrain.web.app import create_app


@pytest.fixture
def site_settings(make_settings):
    return make_settings(site_url="https://doesittrain.test")


@pytest.fixture
def client(site_settings):
    with TestClient(create_app(site_settings)) as test_client:
        yield test_client


@pytest.fixture
def dataset_copy(tmp_path, example_dataset) -> Path:
    """A writable copy of the example dataset, for tests that edit a tool file."""
    folder = tmp_path / "dataset"
    shutil.copytree(example_dataset, folder)
    return folder


@pytest.fixture(scope="session")
def bundled_client(tmp_path_factory):
    from doesittrain import settings as settings_module

    if not (BUNDLED_DATASET / "claude.yaml").exists():
        pytest.skip("the bundled dataset has no claude.yaml yet")
    settings = settings_module.load(
        environ={}, home=str(tmp_path_factory.mktemp("home")), dataset=str(BUNDLED_DATASET), secret_key="test"
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def exported_site(tmp_path_factory) -> Path:
    """The whole bundled site as `doesittrain build` writes it, built once for every test that reads it."""
    from click.testing import CliRunner

    from doesittrain.cli import cli

    out = tmp_path_factory.mktemp("site")
    env = {"DOESITTRAIN_HOME": str(tmp_path_factory.mktemp("home")), "DOESITTRAIN_DATASET": str(BUNDLED_DATASET),
           "DOESITTRAIN_SITE_URL": "https://doesittrain.example", "DOESITTRAIN_SECRET_KEY": "t"}
    result = CliRunner().invoke(cli, ["build", str(out)], env=env)
    assert result.exit_code == 0, result.output
    return out
