from school.views import assessment, attendance, student

app_name = "school"

urlpatterns = [*student.urlpatterns, *attendance.urlpatterns, *assessment.urlpatterns]
