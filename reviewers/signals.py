"""Keep a persona's stored pictures in step with it, once committed."""

from reviewers.models import Reviewer
from reviewers.tasks import reviewer_avatar_renditions
from tools.images import keep_pictures_in_step

keep_pictures_in_step(
    Reviewer,
    image_field="avatar",
    renditions_field="avatar_renditions",
    task=reviewer_avatar_renditions,
)
