from __future__ import annotations

import pytest

from caremgmt.access import actor_for
from tests.factories import ClientFactory


@pytest.fixture
def own_client(world):  # noqa: ANN001, ANN201
    """A client of world.care_manager in world.office."""
    return ClientFactory(
        office=world.office,
        care_manager=world.care_manager,
        name="青木 トメ",
        name_kana="アオキ トメ",
    )


@pytest.fixture
def actor(world):  # noqa: ANN001, ANN201
    return actor_for(world.care_manager)
