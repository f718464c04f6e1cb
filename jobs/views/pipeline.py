"""pipeline pages of the job board."""

urlpatterns = []
