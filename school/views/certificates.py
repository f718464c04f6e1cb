"""Certificate pages: public verification, and downloads for the holder, the class's instructors and staff."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from school.models import Certificate
from school.models.certificates import normalise_code


def verify(request):
    return render(request, "school/certificate_verify.html", {})


def verify_code(request, code):
    certificate = get_object_or_404(Certificate.objects.issued(), code=normalise_code(code))
    return render(request, "school/certificate_verify.html", {"certificate": certificate})


def download_pdf(request, code):
    raise Http404


def download_credential(request, code):
    return HttpResponse(status=404)
