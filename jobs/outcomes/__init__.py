def may_see_outcomes(user) -> bool:
    """School staff who run placements (the staff role's permission): the dashboard, its downloads and
    the outcomes API all ask this one question."""
    from jobs.placement_rounds import may_run_rounds

    return may_run_rounds(user)
