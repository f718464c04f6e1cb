"""API tokens: DRF's TokenAuthentication in one query that also reads the user, the user's roles and
whatever else an endpoint always needs of the user (`user_related`), so an endpoint that checks a role
(User.has_role) costs no second query. The query is written once per class (baijia.rows): every API
request makes it, and compiling it with the ORM each time cost more CPU than the database spent on it."""

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from drf_spectacular.drainage import set_override
from rest_framework import authentication

from accounts.roles import Role
from baijia.rows import Columns, column, table


def _roles_sql(user_id: str) -> str:
    """The roles of the user whose id is the SQL expression `user_id`, as one number: bit i set when the
    user is in the group named by the i-th %s (Role.values, in order). One subquery, not one EXISTS per
    role: PostgreSQL planned four of them in 0.36 ms, longer than it took to run the whole query."""
    field = get_user_model()._meta.get_field("groups")
    quote = connection.ops.quote_name
    membership = field.remote_field.through
    bits = " ".join(f"WHEN %s THEN {1 << number}" for number in range(len(Role.values)))
    return (
        f"(SELECT SUM(CASE g.{column(Group, 'name')} {bits} ELSE 0 END) "  # noqa: S608 - names from _meta
        f"FROM {table(membership)} m INNER JOIN {table(Group)} g "
        f"ON g.{quote(Group._meta.pk.column)} = m.{quote(field.m2m_reverse_name())} "
        f"WHERE m.{quote(field.m2m_column_name())} = {user_id})"
    )


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`, as DRF's, in one query: the token, its user (and `user_related`, e.g.
    a profile an endpoint always reads) and the role groups the user belongs to. Refusals
    (unknown token, inactive user) are DRF's own, in its words."""

    # Reverse one-to-one relations of the user (e.g. "student_profile") to read along with it; a user
    # without one gets None cached, so reading it raises DoesNotExist without a query, as select_related.
    user_related: tuple[str, ...] = ()

    @classmethod
    @functools.cache
    def _select(cls):
        """(sql, read): the query for one token by key, and row → (token with its user) or None."""
        Token, User = cls().get_model(), get_user_model()
        quote = connection.ops.quote_name
        parts = [Columns(Token, "t"), Columns(User, "u")]
        joins, relations = [], []
        for number, name in enumerate(cls.user_related):
            relation = User._meta.get_field(name)
            if not (relation.one_to_one and relation.auto_created):
                raise ImproperlyConfigured(f"{cls.__name__}.user_related: {name} is not a reverse one-to-one")
            alias = f"r{number}"
            joins.append(
                f"LEFT OUTER JOIN {table(relation.related_model)} {alias} "
                f"ON {alias}.{quote(relation.field.column)} = u.{quote(User._meta.pk.column)}"
            )
            relations.append(relation)
            parts.append(Columns(relation.related_model, alias))
        roles = _roles_sql(f"t.{column(Token, 'user')}")
        sql = (
            f"SELECT {', '.join(part.sql() for part in parts)}, "  # noqa: S608 - names from _meta
            f"{roles} "
            f"FROM {table(Token)} t INNER JOIN {table(User)} u "
            f"ON u.{quote(User._meta.pk.column)} = t.{column(Token, 'user')} "
            f"{' '.join(joins)} WHERE t.{column(Token, 'key')} = %s"
        )
        readers = [part.reader() for part in parts]

        def read(row):
            token, at = readers[0](row, 0)
            user, at = readers[1](row, at)
            for relation, reader in zip(relations, readers[2:], strict=True):
                related, at = reader(row, at)
                relation.set_cached_value(user, related)
                if related is not None:
                    relation.field.set_cached_value(related, user)
            # What User.roles (a cached_property) would read from the groups: the role groups the user is in.
            bits = int(row[at] or 0)
            user.__dict__["roles"] = {role for number, role in enumerate(Role.values) if bits & (1 << number)}
            token.user = user
            return token

        return sql, read

    def authenticate_credentials(self, key):
        sql, read = self._select()
        with connection.cursor() as cursor:
            cursor.execute(sql, [*Role.values, key])
            row = cursor.fetchone()
        token = read(row) if row else None
        if token is None or not token.user.is_active:
            return super().authenticate_credentials(key)  # refuses, as DRF does
        return token.user, token


# Every token class here is DRF's scheme (`Authorization: Token <key>`): one "tokenAuth" in the OpenAPI
# schema, however many subclasses read extra rows.
set_override(TokenAuthentication, "suppress_collision_warning", True)
