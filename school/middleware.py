"""Request wiring for the school app."""


def remember_referral(get_response):
    """Keep a `?ref=` code from a shared course link for the rest of the visit, so an enrolment made a
    few clicks later is still attributed to the student who shared it."""

    def middleware(request):
        code = request.GET.get("ref", "")
        if code and len(code) <= 16 and code.isascii():
            request.session["referral_code"] = code
        return get_response(request)

    return middleware
