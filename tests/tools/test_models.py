import pytest

from tests.integrity import refused_by_database
from tests.tools.factories import ToolFactory
from tools.models import Tool

pytestmark = pytest.mark.django_db


def test_pricing_tier_outside_the_choices_is_refused_by_the_database():
    tool = ToolFactory()
    refused_by_database(
        lambda: Tool.objects.filter(pk=tool.pk).update(pricing_tier="cheap")
    )
