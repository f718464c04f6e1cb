"""API tokens: DRF's TokenAuthentication, reading the user's roles in the same query as the token, so an
endpoint that checks a role (User.has_role) costs no second query for the user's groups."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from rest_framework import authentication

from accounts.roles import Role


def _role_flag(role: str) -> str:
    return f"has_role_{role}"


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`, as DRF's, in one query: the token, its user (and `user_related`, e.g.
    a profile an endpoint always reads) and whether the user belongs to each role's group. Refusals
    (unknown token, inactive user) are DRF's own, in its words."""

    # Relations of the user to read along with it (select_related names, from the user).
    user_related: tuple[str, ...] = ()

    def get_queryset(self):
        memberships = get_user_model().groups.through.objects
        return (
            self.get_model()
            .objects.select_related("user", *(f"user__{name}" for name in self.user_related))
            .annotate(
                **{
                    _role_flag(role): Exists(memberships.filter(user_id=OuterRef("user_id"), group__name=role))
                    for role in Role.values
                }
            )
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
