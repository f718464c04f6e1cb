from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from accounts.phone import looks_like_email, normalize_mobile


class PhoneOrEmailBackend(ModelBackend):
    """Sign in with a mobile number or an e-mail address in the one "account" field."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if not username or password is None:
            return None
        users = get_user_model()._default_manager
        if looks_like_email(username):
            lookup = {"email__iexact": username.strip()}
        else:
            lookup = {"phone": normalize_mobile(username)}
        try:
            user = users.get(**lookup)
        except users.model.DoesNotExist:
            # Spend the same time as a real check so timing does not reveal who has an account.
            users.model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
