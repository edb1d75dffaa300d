from charter import published


def collective(request):
    """The collective's identity, for the header and footer of every page (kept between
    requests, see `charter.published`)."""
    return {"collective": published.collective()}
