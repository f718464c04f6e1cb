from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.roles import Role

User = get_user_model()


@transaction.atomic
def user_sign_up(*, display_name: str, phone: str, email: str = "", password: str, language: str = "") -> User:
    """Create a student account that hears from the school in the language it signed up in. The
    welcome e-mail goes out once the account is committed."""
    from accounts.tasks import send_welcome_email

    user = User(display_name=display_name, phone=phone, email=email)
    if language:
        user.language = language
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(Group.objects.get_or_create(name=Role.STUDENT)[0])
    if user.email:
        send_welcome_email.delay_on_commit(user.pk)
    return user
