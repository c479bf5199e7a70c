"""Keep a persona's stored pictures in step with it, once committed, and
the old address of a renamed persona alive."""

from editorial.slugs import keep_former_slugs
from pictures.sync import keep_pictures_in_step
from reviewers.models import Reviewer
from reviewers.tasks import reviewer_avatar_renditions

keep_pictures_in_step(
    Reviewer,
    image_field="avatar",
    renditions_field="avatar_renditions",
    task=reviewer_avatar_renditions,
)

keep_former_slugs(Reviewer)
