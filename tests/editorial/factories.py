"""Every user in the suite: staff accounts with a role or permissions.

Roles are the groups the data migrations make (Editor, Contributor,
Newsletter editor); `role=` puts the user in one by name, so a test gets
exactly the permissions the migrations grant, never a copy of them.

The groups are there for every test. A `db` test runs inside a transaction
on the migrated test database. A transactional test (`transaction=True`,
`transactional_db`, `live_server`) ends by flushing the database, which
makes content types and permissions again, under new ids, but not the groups
a data migration made. So tests/conftest.py takes `roles_snapshot()` of the
migrated database once, before the first flush, and `roles_restore()`s it
at the start of each transactional test. The snapshot uses natural keys
("Editor"; "publish_comparison" of comparisons.comparison), so the new ids
do not matter, and it needs no migration module and no copy of the
migrations' group definitions.

Django's serialized rollback does not do here: it keeps its copy on the
connection object it started with, and once Playwright's sync API runs an
event loop in the test's thread, Django hands the test code a new connection
object, so the browser tests would silently get nothing back.
"""

import factory
from django.contrib.auth.models import Group, Permission, User
from django.core import serializers

PASSWORD = "correct horse 42"


class UserFactory(factory.django.DjangoModelFactory):
    """A staff account that logs in with PASSWORD.

    `role="Editor"` puts it in the group of that name; `permissions=
    ["tools.view_vote"]` grants permissions to the account itself.
    """

    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Sequence(lambda n: f"Person{n}")
    last_name = "Example"
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))

    @factory.post_generation
    def permissions(self, create, extracted, **kwargs):
        if create and extracted:
            for name in extracted:
                app_label, codename = name.split(".")
                self.user_permissions.add(
                    Permission.objects.get(
                        content_type__app_label=app_label, codename=codename
                    )
                )

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()  # keeps the password set above


def contributor(**kwargs) -> User:
    return UserFactory(role="Contributor", **kwargs)


def editor(**kwargs) -> User:
    return UserFactory(role="Editor", **kwargs)


def newsletter_editor(**kwargs) -> User:
    return UserFactory(role="Newsletter editor", **kwargs)


def superuser(**kwargs) -> User:
    return UserFactory(is_superuser=True, **kwargs)


def roles_snapshot() -> str:
    """The groups as they are now, with the permissions they hold."""
    groups = list(Group.objects.prefetch_related("permissions"))
    permissions = Permission.objects.filter(group__in=groups).distinct()
    return serializers.serialize(
        "json",
        [*permissions.select_related("content_type"), *groups],
        use_natural_foreign_keys=True,
        use_natural_primary_keys=True,
    )


def roles_restore(snapshot: str) -> None:
    """Make the groups of `snapshot` again if a flush removed them."""
    if Group.objects.exists():
        return
    for deserialized in serializers.deserialize("json", snapshot):
        deserialized.save()
