"""Public certificate addresses: /certificates/verify/ and each certificate's page and downloads."""

from django.urls import path

from school.views import certificates

app_name = "certificates"

urlpatterns = [
    path("verify/", certificates.verify, name="verify"),
    path("verify/<str:code>/", certificates.verify_code, name="verify_code"),
    path("<str:code>/pdf/", certificates.download_pdf, name="pdf"),
    path("<str:code>/credential/", certificates.download_credential, name="credential"),
]
