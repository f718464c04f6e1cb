def only_public_api(endpoints):
    """drf-spectacular preprocessing hook: keep /api/v1/ and leave out Wagtail's admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
