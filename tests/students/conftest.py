"""The import's schools."""

import pytest

from students import models
from tests import factories


@pytest.fixture
def schools(db) -> dict[str, models.School]:
    return {
        "GRO": factories.SchoolFactory(code="GRO", name="École Gabrielle-Roy"),
        "SLM": factories.SchoolFactory(code="SLM", name="École Louis-Riel",
                                       level=models.Level.SECONDARY),
    }
