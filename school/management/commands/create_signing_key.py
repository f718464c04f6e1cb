"""Create the Ed25519 key that signs certificates' verifiable credentials, if there is none, and print
its key id. Safe to run again: an existing key is kept (replacing it would invalidate every credential
already handed out). `make setup` runs it."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from school.certificates import credential


class Command(BaseCommand):
    help = "Create the credential signing key (Ed25519, PEM, mode 0600) if it is missing; print its kid."
    requires_system_checks = []

    def handle(self, *args, **options):
        if settings.CREDENTIAL_SIGNING_KEY.strip():
            source = "the CREDENTIAL_SIGNING_KEY environment variable"
        else:
            path = credential.key_file()
            created = credential.create_key_file(path)
            source = f"{path} ({'created' if created else 'already there, kept'})"
        try:
            kid = credential.thumbprint(credential.private_key().public_key())
        except credential.SigningKeyMissing as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Credential signing key: {source}")
        self.stdout.write(f"kid: {kid}")
