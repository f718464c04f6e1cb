from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from django.views.generic import TemplateView

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from accounts import api as accounts_api
from baijia.errors import api_not_found
from baijia.health import healthz, ping
from jobs import api_board as jobs_api_board
from jobs import api_matching as jobs_api_matching
from jobs import api_merchant as jobs_api_merchant
from jobs import api_outcomes as jobs_api_outcomes
from jobs import api_pipeline as jobs_api_pipeline
from jobs import api_rounds as jobs_api_rounds
from school import api as school_api
from school import api_certificate_issuing
from school import api_certificates as school_api_certificates
from school import api_enrolment as school_api_enrolment
from school.views import certificates as certificate_views

router = SimpleRouter()
router.register("programs", school_api.ProgramViewSet, basename="program")
router.register("courses", school_api.CourseViewSet, basename="course")
router.register("cohorts", school_api.CohortViewSet, basename="cohort")
router.register("enrolments", school_api_enrolment.EnrolmentViewSet, basename="enrolment")
router.register("teaching/cohorts", school_api_enrolment.TeachingCohortViewSet, basename="teaching-cohort")
# GET certificates/<code>/ only (public verification); issuing routes are registered separately.
router.register("certificates", school_api_certificates.CertificateVerificationViewSet, basename="certificate-verify")
router.register(
    "jobs/merchant/applications", jobs_api_pipeline.MerchantApplicationViewSet, basename="merchant-application"
)
router.register("jobs/merchant/candidates", jobs_api_pipeline.CandidateViewSet, basename="candidate")
router.register("jobs/merchant/postings", jobs_api_merchant.MerchantPostingViewSet, basename="merchant-posting")
router.register("jobs/postings", jobs_api_board.PostingViewSet, basename="job-posting")
router.register("jobs/my/applications", jobs_api_board.MyApplicationViewSet, basename="my-job-application")
router.register("jobs/placement-rounds", jobs_api_rounds.PlacementRoundViewSet, basename="placement-round")

api_v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script from a URL: no inline script (CSP).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path("auth/token/", accounts_api.TokenView.as_view(), name="token"),
    path("me/", accounts_api.MeView.as_view(), name="me"),
    path("me/data/", accounts_api.MyDataView.as_view(), name="me-data"),
    path("jobs/my/profile/", jobs_api_board.MyProfileView.as_view(), name="my-job-profile"),
    path("jobs/my/recommendations/", jobs_api_matching.MyRecommendationsView.as_view(), name="my-job-recommendations"),
    path("jobs/postings/<int:pk>/match/", jobs_api_matching.PostingMatchView.as_view(), name="job-posting-match"),
    path(
        "jobs/merchant/postings/<int:pk>/recommended-candidates/",
        jobs_api_matching.RecommendedCandidatesView.as_view(),
        name="merchant-posting-recommended-candidates",
    ),
    path("outcomes/", jobs_api_outcomes.OutcomesView.as_view(), name="outcomes"),
    path("outcomes/merchants/", jobs_api_outcomes.MerchantOutcomesView.as_view(), name="outcomes-merchants"),
    *api_certificate_issuing.urlpatterns,  # before any certificates/<code>/ route
    *router.urls,
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("ping", ping, name="ping"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", include((api_v1, "api"))),
    re_path(r"^api/", api_not_found, name="api_not_found"),  # before Wagtail's catch-all page route (below)
    path("sitemap.xml", sitemap, name="sitemap"),
    # The public key that verifies certificates' credentials (school.certificates.credential).
    path(".well-known/jwks.json", certificate_views.jwks, name="jwks"),
    path("robots.txt", TemplateView.as_view(template_name="robots.txt", content_type="text/plain"), name="robots"),
]

# A database that is down or restarting answers 503 with Retry-After, not 500.
handler500 = "baijia.errors.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Chinese at /…, English at /en/…: every page has one address per language, which links, search
# engines and the public page cache can rely on. Wagtail serves every other path: keep it last.
urlpatterns += i18n_patterns(
    path("accounts/", include("accounts.urls")),
    path("certificates/", include("school.certificate_urls")),
    path("", include("school.urls")),
    path("jobs/", include("jobs.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
