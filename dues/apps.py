from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuesConfig(AppConfig):
    name = "dues"
    verbose_name = _("Cotisations et paiements")

    def ready(self):
        # Register the tasks that the desk's pages queue by name, and answer members' signals
        # about personal data (download, closure, retention). Public pages keep the scales
        # between requests: an edit drops them (dues.published).
        from dues import personal_data, published, tasks  # noqa: F401

        published.connect()
