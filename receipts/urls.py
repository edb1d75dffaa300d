app_name = "receipts"

urlpatterns = []
