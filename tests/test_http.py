"""The HTTP surface: the route table answers over real HTTP on loopback."""

from __future__ import annotations

import httpx

from bot.http import HttpSurface, Request, Response, Routes


async def test_routes_answer_and_unknown_paths_get_404() -> None:
    seen: list[Request] = []

    async def echo(request: Request) -> Response:
        seen.append(request)
        return Response.json({"method": request.method, "q": request.query.get("q")})

    async def broken(_request: Request) -> Response:
        raise RuntimeError("secret detail")

    routes: Routes = {"/echo": echo, "/broken": broken}
    surface = HttpSurface(routes)
    port = await surface.start(listen="127.0.0.1", port=0)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            answer = await client.post("/echo?q=caracas", content=b"{}",
                                       headers={"X-Hub-Signature-256": "sha256=ab"})
            missing = await client.get("/nowhere")
            failed = await client.get("/broken")
    finally:
        await surface.stop()
    assert answer.status_code == 200
    assert answer.json() == {"method": "POST", "q": "caracas"}
    assert seen[0].body == b"{}" and seen[0].headers["x-hub-signature-256"] == "sha256=ab"
    assert missing.status_code == 404
    assert failed.status_code == 500 and "secret" not in failed.text
