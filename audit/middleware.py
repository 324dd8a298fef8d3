from .context import Channel, acting_as


def channel_for_path(path: str) -> str:
    if path.startswith("/admin/"):
        return Channel.ADMIN
    if path.startswith("/api/"):
        return Channel.API
    return Channel.WEB


class AuditChannelMiddleware:
    """Marks everything a request writes with the channel it came through."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_as(channel_for_path(request.path)):
            return self.get_response(request)
