from jobs.views import board, graduate, merchant, pipeline

app_name = "jobs"

urlpatterns = [*board.urlpatterns, *graduate.urlpatterns, *merchant.urlpatterns, *pipeline.urlpatterns]
