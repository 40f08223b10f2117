"""HEAD wherever GET works (RFC 9110 §9.3.2): monitors and link checkers use it."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """Outermost: a HEAD is answered as its GET would be, headers and all (Content-Length,
    ETag, a cached answer), without the body. Routes need declare GET only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body"):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
