class EnrolmentError(Exception):
    """A request the school's rules refuse; `message` is translated and shown to the person."""

    def __init__(self, message, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


class ImportRowsError(Exception):
    """A file that cannot be imported: `errors` lists (row number, message) and nothing was saved."""

    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(f"{len(errors)} rows have errors")
        self.errors = errors


class CertificateError(EnrolmentError):
    """A certificate request the school's rules refuse (not completed, already certified, no reason…)."""
