import factory
from django.contrib.auth.models import Group, User


class UserFactory(factory.django.DjangoModelFactory):
    """A staff account; `role` puts it in a group made by the migrations."""

    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Sequence(lambda n: f"Person{n}")
    last_name = "Example"
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "correct horse 42")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


def contributor(**kwargs) -> User:
    return UserFactory(role="Contributor", **kwargs)


def editor(**kwargs) -> User:
    return UserFactory(role="Editor", **kwargs)


def superuser(**kwargs) -> User:
    return UserFactory(is_superuser=True, **kwargs)
