from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceiptsConfig(AppConfig):
    name = "receipts"
    verbose_name = _("Reçus")

    def ready(self):
        from receipts import signals  # noqa: F401  (connects to dues.signals.payment_recorded)
