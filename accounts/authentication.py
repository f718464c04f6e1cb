"""API tokens: DRF's TokenAuthentication, reading the user's roles in the same query as the token, so an
endpoint that checks a role (User.has_role) costs no second query for the user's groups."""

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from drf_spectacular.drainage import set_override
from rest_framework import authentication

from accounts.roles import Role


def _role_flag(role: str) -> str:
    return f"has_role_{role}"


@functools.cache
def _member_of_sql(token_table: str, token_user_column: str) -> str:
    """EXISTS (the token's user is in the group named %s), from the models' metadata. Written out rather
    than built with Exists(): the ORM spends more CPU compiling four subqueries than the query takes."""
    field = get_user_model()._meta.get_field("groups")
    quote = connection.ops.quote_name
    membership, group = field.remote_field.through._meta.db_table, Group._meta.db_table
    return (
        f"EXISTS (SELECT 1 FROM {quote(membership)} m INNER JOIN {quote(group)} g "  # noqa: S608 - names from _meta
        f"ON g.{quote(Group._meta.pk.column)} = m.{quote(field.m2m_reverse_name())} "
        f"WHERE m.{quote(field.m2m_column_name())} = {quote(token_table)}.{quote(token_user_column)} "
        f"AND g.{quote(Group._meta.get_field('name').column)} = %s)"
    )


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`, as DRF's, in one query: the token, its user (and `user_related`, e.g.
    a profile an endpoint always reads) and whether the user belongs to each role's group. Refusals
    (unknown token, inactive user) are DRF's own, in its words."""

    # Relations of the user to read along with it (select_related names, from the user).
    user_related: tuple[str, ...] = ()

    @classmethod
    @functools.cache
    def get_queryset(cls):
        """Built once per class, since building it costs CPU too; each request filters a copy by key (never
        evaluate this one: it would keep its rows)."""
        model = cls().get_model()
        member_of = _member_of_sql(model._meta.db_table, model._meta.get_field("user").column)
        return model.objects.select_related("user", *(f"user__{name}" for name in cls.user_related)).annotate(
            **{_role_flag(role): RawSQL(member_of, [role], output_field=BooleanField()) for role in Role.values}  # noqa: S611 - no user input
        )

    def authenticate_credentials(self, key):
        try:
            token = self.get_queryset().get(key=key)
        except self.get_model().DoesNotExist:
            token = None
        if token is None or not token.user.is_active:
            return super().authenticate_credentials(key)  # refuses, as DRF does
        user = token.user
        # What User.roles (a cached_property) would read from the groups: the role groups the user is in.
        user.__dict__["roles"] = {role for role in Role.values if getattr(token, _role_flag(role))}
        return user, token


# Every token class here is DRF's scheme (`Authorization: Token <key>`): one "tokenAuth" in the OpenAPI
# schema, however many subclasses read extra rows.
set_override(TokenAuthentication, "suppress_collision_warning", True)
