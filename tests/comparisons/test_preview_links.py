from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from comparisons.models import PreviewLink
from comparisons.services import preview_link_create, preview_link_revoke
from tests.comparisons.factories import ComparisonFactory
from tests.editorial.factories import contributor, editor
from tests.editorial.helpers import messages_of, workflow_url
from tests.pages import shows_no_written_comparison

pytestmark = pytest.mark.django_db

INVALID = "This preview link does not work"


@pytest.fixture
def draft(panel):
    return ComparisonFactory(
        left=panel["left"],
        right=panel["right"],
        draft=True,
        standfirst="Still being written.",
    )


def assert_clear_404(response) -> None:
    assert response.status_code == 404
    assert INVALID in response.text
    assert "noindex" in response["X-Robots-Tag"]
    assert "no-store" in response["Cache-Control"]


def test_a_valid_link_shows_the_draft_to_someone_without_an_account(client, draft):
    """The draft, a Draft banner, noindex and never-cache headers."""
    link = preview_link_create(comparison=draft, by=contributor())
    assert shows_no_written_comparison(client.get(draft.get_absolute_url()), draft)

    response = client.get(link.get_absolute_url())
    assert response.status_code == 200
    assert "Still being written." in response.text
    assert "A preview shared with you" in response.text
    assert '<meta name="robots" content="noindex, nofollow">' in response.text
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_link_shows_the_unpublished_changes_of_a_live_comparison(client, comparison):
    comparison.pending_changes = {
        "standfirst": "The changed words.",
        "bottom_line": "B.",
    }
    comparison.save()
    link = preview_link_create(comparison=comparison, by=editor())
    assert "The changed words." in client.get(link.get_absolute_url()).text
    assert "The changed words." not in client.get(comparison.get_absolute_url()).text


def test_a_link_expires_after_seven_days(client, draft):
    link = preview_link_create(comparison=draft, by=editor())
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        assert client.get(link.get_absolute_url()).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        assert_clear_404(client.get(link.get_absolute_url()))


def test_a_tampered_link_gets_the_clear_404(client, draft):
    link = preview_link_create(comparison=draft, by=editor())
    other = preview_link_create(comparison=draft, by=editor())
    token = link.token
    payload, rest = token.split(":", 1)
    other_payload = signing.b64_encode(f'{{"link":{other.pk}}}'.encode()).decode()
    forged = f"{other_payload}:{rest}"
    assert client.get(other.get_absolute_url()).status_code == 200
    assert_clear_404(client.get(f"/preview/{token[:-2]}xx/"))
    assert_clear_404(client.get(f"/preview/{forged}/"))
    assert_clear_404(client.get("/preview/not-a-token/"))


def test_a_revoked_link_stops_working(client, draft):
    """Revoked from the admin, the link gets the clear 404 at once."""
    link = preview_link_create(comparison=draft, by=editor())
    assert client.get(link.get_absolute_url()).status_code == 200
    client.force_login(editor())
    response = client.post(
        workflow_url(draft, "revoke-link"), {"link": link.pk}, follow=True
    )
    assert "Preview link revoked" in " ".join(messages_of(response))
    client.logout()
    assert_clear_404(client.get(link.get_absolute_url()))


def test_links_are_made_from_the_admin(client, draft):
    """The editor gets the address to share in the confirmation."""
    client.force_login(contributor())
    response = client.post(workflow_url(draft, "preview-link"), follow=True)
    link = PreviewLink.objects.get(comparison=draft)
    assert link.get_absolute_url() in " ".join(messages_of(response))
    assert link.expires_at - link.created_at == timedelta(days=7)


def test_revoking_twice_is_harmless(draft):
    user = editor()
    link = preview_link_create(comparison=draft, by=user)
    preview_link_revoke(link=link, by=user)
    first = link.revoked_at
    preview_link_revoke(link=link, by=user)
    assert link.revoked_at == first


def test_revoking_a_tampered_link_id_is_refused_not_a_500(client, draft):
    """A link id that is not a number is simply not found."""
    link = preview_link_create(comparison=draft, by=editor())
    client.force_login(editor())
    response = client.post(
        workflow_url(draft, "revoke-link"), {"link": f"{link.pk}x"}, follow=True
    )
    assert response.status_code == 200
    assert "That preview link does not exist." in " ".join(messages_of(response))
    link.refresh_from_db()
    assert link.revoked_at is None
