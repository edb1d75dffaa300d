from charter.models import Collective


def collective(request):
    """The collective's identity, for the header and footer of every page."""
    return {"collective": Collective.load()}
