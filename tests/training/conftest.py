"""Phantom cases shared by the training tests (generated once per session)."""

from __future__ import annotations

import os

# as `vividmed train` does: OpenMP threads that spin make torch crawl on a busy 2-core CPU
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import pytest

from training.synthesis.phantom import PhantomCase, generate_phantom

# Seeds (train range) chosen for their content: see test_phantom_content for what they hold.
ABNORMAL_SEED = 12  # pneumothorax, lung nodule, rib fracture, cardiomegaly
EFFUSION_SEED = 5  # pleural effusion, consolidation, cardiomegaly
NORMAL_SEED = 6  # no abnormality


@pytest.fixture(scope="session")
def abnormal_case() -> PhantomCase:
    return generate_phantom(ABNORMAL_SEED)


@pytest.fixture(scope="session")
def effusion_case() -> PhantomCase:
    return generate_phantom(EFFUSION_SEED)


@pytest.fixture(scope="session")
def normal_case() -> PhantomCase:
    return generate_phantom(NORMAL_SEED)


@pytest.fixture(scope="session", params=["abnormal", "effusion", "normal"])
def any_case(
    request: pytest.FixtureRequest,
    abnormal_case: PhantomCase,
    effusion_case: PhantomCase,
    normal_case: PhantomCase,
) -> PhantomCase:
    return {"abnormal": abnormal_case, "effusion": effusion_case, "normal": normal_case}[
        request.param
    ]
