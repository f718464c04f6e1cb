from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

import factory

from accounts.roles import Role

PASSWORD = "correct-horse-battery-staple"


def with_role(default: str | None = None) -> factory.PostGeneration:
    """`UserFactory(role=Role.MERCHANT)` puts the user in that role's group."""

    def add_role(user, create, role, **kwargs):
        role = role or default
        if create and role:
            user.groups.add(Group.objects.get_or_create(name=role)[0])

    return factory.PostGeneration(add_role)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    phone = factory.Sequence(lambda n: f"137{n:08d}")
    display_name = factory.Faker("name", locale="zh_CN")
    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.django.Password(PASSWORD)
    role = with_role()


class StudentFactory(UserFactory):
    role = with_role(Role.STUDENT)


class StaffFactory(UserFactory):
    is_staff = True
    role = with_role(Role.STAFF)
