from jobs.views import board, graduate, merchant, pipeline, recommended

app_name = "jobs"

urlpatterns = [
    *board.urlpatterns,
    *graduate.urlpatterns,
    *merchant.urlpatterns,
    *pipeline.urlpatterns,
    *recommended.urlpatterns,
]
