app_name = "dues"

urlpatterns = []
