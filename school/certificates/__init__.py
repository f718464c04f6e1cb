"""Rendering certificates, behind one small interface: `render()` PDFs for a print run,
`render_sample()` for a template's preview, and the verifiable credential (credential.py)."""

from school.certificates.fonts import FontCoverageError


def render(template, contents, **options):
    from school.certificates import pdf

    return pdf.render(template, contents, **options)


def render_sample(template) -> bytes:
    from school.certificates import pdf

    return pdf.render_sample(template)


__all__ = ["FontCoverageError", "render", "render_sample"]
