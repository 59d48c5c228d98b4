"""The fake signal-cli daemon answers like signal-cli over real HTTP, so tests can trust it."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from httpx_sse import ServerSentEvent, aconnect_sse

from tests.e2e.signal_fake import FakeSignalDaemon

ACCOUNT = "+4915100000000"
ALICE = "0d9b0a8e-6c39-4b0e-9a52-3c1c7f6d2a11"
ALICE_NUMBER = "+4915111111111"
BORIS = "5f0c7a1e-2b8d-4c3e-8f6a-9d1e2c3b4a55"
STRANGER = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
GROUP = base64.b64encode(bytes(range(32))).decode()


@pytest.fixture
async def daemon() -> AsyncIterator[FakeSignalDaemon]:
    async with FakeSignalDaemon(ACCOUNT) as daemon:
        daemon.add_person(ALICE, number=ALICE_NUMBER, name="Alia")
        daemon.add_person(BORIS, name="Boris")
        yield daemon


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


async def rpc(
    client: httpx.AsyncClient,
    daemon: FakeSignalDaemon,
    method: str,
    params: dict[str, Any] | None = None,
    request_id: Any = 1,
) -> dict[str, Any]:
    request: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "id": request_id}
    if params is not None:
        request["params"] = params
    response = await client.post(f"{daemon.url}/api/v1/rpc", json=request)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert body["jsonrpc"] == "2.0" and body["id"] == request_id
    return body


async def next_events(events: AsyncIterator[ServerSentEvent], count: int) -> list[Any]:
    received: list[Any] = []
    async with asyncio.timeout(2):
        while len(received) < count:
            event = await anext(events)
            assert event.event == "receive"
            received.append(json.loads(event.data))
    return received


# --- the events stream --------------------------------------------------------------------


async def test_events_are_receive_events_with_signal_clis_envelope(
    daemon: FakeSignalDaemon, client: httpx.AsyncClient
) -> None:
    async with aconnect_sse(client, "GET", f"{daemon.url}/api/v1/events") as source:
        assert source.response.headers["content-type"] == "text/event-stream"
        await daemon.wait_until(lambda: daemon.connected == 1)
        sent = daemon.send_text(ALICE, "Hallo 👋")
        hidden = daemon.send_hidden_number_text(ALICE, "ohne Nummer")
        events = source.aiter_sse()
        first, second = await next_events(events, 2)
    delivered = first["envelope"]["serverDeliveredTimestamp"]
    assert delivered >= sent
    assert first == {
        "envelope": {
            "source": ALICE_NUMBER,
            "sourceNumber": ALICE_NUMBER,
            "sourceUuid": ALICE,
            "sourceName": "Alia",
            "sourceDevice": 1,
            "timestamp": sent,
            "serverReceivedTimestamp": sent,
            "serverDeliveredTimestamp": delivered,
            "dataMessage": {
                "timestamp": sent,
                "message": "Hallo 👋",
                "expiresInSeconds": 0,
                "isExpirationUpdate": False,
                "viewOnce": False,
            },
        },
        "account": ACCOUNT,
    }
    assert list(first) == ["envelope", "account"]
    envelope = second["envelope"]
    assert (envelope["source"], envelope["sourceNumber"]) == (ALICE, None)
    assert envelope["timestamp"] == hidden > sent
    await daemon.wait_until(lambda: daemon.connected == 0)


async def test_other_message_kinds_have_signal_clis_shape(
    daemon: FakeSignalDaemon, client: httpx.AsyncClient
) -> None:
    daemon.send_group_text(ALICE, GROUP, "in der Gruppe")
    daemon.send_receipt(ALICE, kind="read", timestamps=[1700000000000])
    daemon.send_typing(ALICE)
    daemon.send_sync(BORIS, "vom Telefon")
    daemon.send_raw({"source": None, "timestamp": 5})
    async with aconnect_sse(client, "GET", f"{daemon.url}/api/v1/events") as source:
        group, receipt, typing, sync, raw = [
            e["envelope"] for e in await next_events(source.aiter_sse(), 5)
        ]
    assert group["dataMessage"]["groupInfo"] == {
        "groupId": GROUP,
        "groupName": "Gruppe",
        "revision": 1,
        "type": "DELIVER",
    }
    assert receipt["receiptMessage"] == {
        "when": receipt["timestamp"],
        "isDelivery": False,
        "isRead": True,
        "isViewed": False,
        "timestamps": [1700000000000],
    }
    assert typing["typingMessage"] == {"action": "STARTED", "timestamp": typing["timestamp"]}
    boris = daemon.person(BORIS)
    assert sync["sourceNumber"] == ACCOUNT and sync["sourceDevice"] == 2
    assert sync["syncMessage"]["sentMessage"] == {
        "destination": boris.number,
        "destinationNumber": boris.number,
        "destinationUuid": BORIS,
        "timestamp": sync["timestamp"],
        "message": "vom Telefon",
        "expiresInSeconds": 0,
        "isExpirationUpdate": False,
        "viewOnce": False,
    }
    assert raw == {"source": None, "timestamp": 5}
    assert "dataMessage" not in receipt and "dataMessage" not in typing


async def test_keep_alive_comments_arrive_and_are_no_events(client: httpx.AsyncClient) -> None:
    async with FakeSignalDaemon(ACCOUNT, keepalive_seconds=0.05) as daemon:
        daemon.add_person(ALICE)
        url = f"{daemon.url}/api/v1/events"
        async with client.stream("GET", url) as response:
            lines = response.aiter_lines()
            async with asyncio.timeout(2):
                assert [await anext(lines) for _ in range(3)] == [":", ":", ":"]
                daemon.send_text(ALICE, "x")
                line = await anext(lines)
                while line == ":":
                    line = await anext(lines)
                assert line == "event:receive"
                assert (await anext(lines)).startswith('data:{"envelope":')
                assert await anext(lines) == ""
        async with aconnect_sse(client, "GET", url) as source:
            events = source.aiter_sse()
            waiting = asyncio.ensure_future(anext(events))
            await asyncio.sleep(0.3)  # six keep-alives, no event
            assert not waiting.done()
            daemon.send_text(ALICE, "jetzt")
            async with asyncio.timeout(2):
                event = await waiting
        assert event.event == "receive"
        assert json.loads(event.data)["envelope"]["dataMessage"]["message"] == "jetzt"


async def test_messages_wait_for_a_client_and_arrive_in_order(
    daemon: FakeSignalDaemon, client: httpx.AsyncClient
) -> None:
    for text in ("eins", "zwei", "drei"):
        daemon.send_text(ALICE, text)
    assert daemon.undelivered == 3 and daemon.connections == 0
    url = f"{daemon.url}/api/v1/events"
    async with aconnect_sse(client, "GET", url) as source:
        received = await next_events(source.aiter_sse(), 3)
        assert [e["envelope"]["dataMessage"]["message"] for e in received] == [
            "eins",
            "zwei",
            "drei",
        ]
        assert daemon.undelivered == 0
    await daemon.wait_until(lambda: daemon.connected == 0)
    daemon.send_text(ALICE, "vier")
    assert daemon.undelivered == 1
    async with (
        aconnect_sse(client, "GET", url) as first,
        aconnect_sse(client, "GET", url) as second,
    ):
        streams = first.aiter_sse(), second.aiter_sse()
        [fourth] = await next_events(streams[0], 1)  # the first to connect gets what waited
        assert fourth["envelope"]["dataMessage"]["message"] == "vier"
        await daemon.wait_until(lambda: daemon.connected == 2)
        daemon.send_text(ALICE, "an beide")
        for stream in streams:
            [both] = await next_events(stream, 1)
            assert both["envelope"]["dataMessage"]["message"] == "an beide"
    assert daemon.connections == 3


async def test_restart_keeps_the_queue_and_the_port(
    daemon: FakeSignalDaemon, client: httpx.AsyncClient
) -> None:
    port = daemon.port
    url = f"{daemon.url}/api/v1/events"
    async with aconnect_sse(client, "GET", url) as source:
        await daemon.wait_until(lambda: daemon.connected == 1)
        await daemon.restart()
        async with asyncio.timeout(2):
            assert [e async for e in source.aiter_sse()] == []  # the stream ended
    assert daemon.port == port
    await daemon.go_away()
    daemon.send_text(ALICE, "während der Pause")
    with pytest.raises(httpx.ConnectError):
        await client.get(f"{daemon.url}/api/v1/check")
    await daemon.come_back()
    assert daemon.port == port and daemon.undelivered == 1
    assert (await client.get(f"{daemon.url}/api/v1/check")).status_code == 200
    async with aconnect_sse(client, "GET", url) as source:
        [event] = await next_events(source.aiter_sse(), 1)
    assert event["envelope"]["dataMessage"]["message"] == "während der Pause"
    assert daemon.connections == 2


async def test_requests_in_flight_fail_when_it_goes_away(
    daemon: FakeSignalDaemon, client: httpx.AsyncClient
) -> None:
    daemon.latency = 5
    call = asyncio.ensure_future(rpc(client, daemon, "version"))
    await daemon.wait_until(lambda: daemon.in_flight == 1)
    await daemon.restart()
    with pytest.raises(httpx.TransportError):
        await call
    daemon.latency = 0
    assert (await rpc(client, daemon, "version"))["result"] == {"version": "0.14.6"}


# --- send ---------------------------------------------------------------------------------


async def test_send_succeeds_like_signal_cli(
    daemon: FakeSignalDaemon, client: httpx.AsyncClient
) -> None:
    body = await rpc(client, daemon, "send", {"recipient": [ALICE], "message": "Hallo"})
    assert set(body) == {"jsonrpc", "result", "id"}
    result = body["result"]
    assert result == {
        "timestamp": result["timestamp"],
        "results": [
            {
                "recipientAddress": {"uuid": ALICE, "number": ALICE_NUMBER, "username": None},
                "type": "SUCCESS",
            }
        ],
    }
    picture = "data:image/png;filename=bild%20eins.png;base64," + base64.b64encode(b"PNG").decode()
    await rpc(
        client,
        daemon,
        "send",
        {"recipient": ALICE_NUMBER, "attachments": [picture], "noUrgent": True},
        request_id="zwei",
    )
    first, second = daemon.take(ALICE)
    assert (first.recipient, first.text, first.timestamp) == (ALICE, "Hallo", result["timestamp"])
    assert second.recipient == ALICE and second.no_urgent and second.text == ""
    assert second.attachments == [("bild eins.png", "image/png", b"PNG")]
    assert daemon.take(ALICE) == [] and daemon.texts_to(ALICE_NUMBER) == ["Hallo", ""]
    assert daemon.sends_per_window(60) == 2
    assert [r.method for r in daemon.requests] == ["send", "send"]


async def test_text_styles_are_checked_in_utf16_units(
    daemon: FakeSignalDaemon, client: httpx.AsyncClient
) -> None:
    text = "😀 fett und kursiv"  # the emoji takes two UTF-16 code units
    body = await rpc(
        client,
        daemon,
        "send",
        {"recipient": ALICE, "message": text, "textStyles": ["3:4:BOLD", "12:6:ITALIC"]},
    )
    assert "result" in body
    [message] = daemon.take(ALICE)
    assert daemon.styled(message, "BOLD") == ["fett"]
    assert message.styled("ITALIC") == ["kursiv"]
    cases = [
        ("fett", -1, "Invalid textStyle syntax (fett) expected 'start:length:STYLE'"),
        ("0:4:BLINK", -1, "Invalid style: BLINK"),
        ("12:7:BOLD", -32602, None),  # one past the end: refused by the fake only
    ]
    for style, code, message_text in cases:
        params = {"recipient": ALICE, "message": text, "textStyle": style}
        error = (await rpc(client, daemon, "send", params))["error"]
        assert error["code"] == code
        if message_text:
            assert error == {"code": code, "message": message_text, "data": None}
    assert daemon.sent == [message]


async def test_empty_and_over_long_messages_are_refused(
    daemon: FakeSignalDaemon, client: httpx.AsyncClient
) -> None:
    empty = (await rpc(client, daemon, "send", {"recipient": ALICE}))["error"]
    assert empty == {
        "code": -1,
        "message": "Sending empty message is not allowed, either a message, attachment or "
        "sticker must be given.",
        "data": None,
    }
    nobody = (await rpc(client, daemon, "send", {"message": "x"}))["error"]
    assert (nobody["code"], nobody["message"]) == (-1, "No recipients given")
    await rpc(client, daemon, "send", {"recipient": ALICE, "message": "ä" * 2000})
    too_long = await rpc(client, daemon, "send", {"recipient": ALICE, "message": "x" * 2001})
    assert too_long["error"]["code"] == -32602
    assert len(daemon.sent) == 1


async def test_rate_limiting_answers_minus_5_with_retry_after(
    daemon: FakeSignalDaemon, client: httpx.AsyncClient
) -> None:
    daemon.rate_limit(30)
    error = (await rpc(client, daemon, "send", {"recipient": ALICE, "message": "x"}))["error"]
    assert error["code"] == -5
    assert error["message"] == "Failed to send message due to rate limiting"
    response = error["data"]["response"]
    [result] = response["results"]
    assert isinstance(response["timestamp"], int)
    assert result["type"] == "RATE_LIMIT_FAILURE" and result["retryAfterSeconds"] == 30
    daemon.rate_limit(0)
    daemon.fail_next(ALICE, "rate_limit", retry_after=7)
    error = (await rpc(client, daemon, "send", {"recipient": ALICE, "message": "x"}))["error"]
    assert error["data"]["response"]["results"][0]["retryAfterSeconds"] == 7
    assert "result" in await rpc(client, daemon, "send", {"recipient": ALICE, "message": "x"})
    assert daemon.texts_to(ALICE) == ["x"]


async def test_unregistered_recipients_fail_like_signal_cli(
    daemon: FakeSignalDaemon, client: httpx.AsyncClient
) -> None:
    daemon.unregister(ALICE)
    error = (await rpc(client, daemon, "send", {"recipient": ALICE, "message": "x"}))["error"]
    assert (error["code"], error["message"]) == (-1, "Failed to send message")
    assert error["data"]["response"]["results"] == [
        {
            "recipientAddress": {"uuid": ALICE, "number": ALICE_NUMBER, "username": None},
            "type": "UNREGISTERED_FAILURE",
        }
    ]
    params = {"recipient": [BORIS, "+49 170 0000000"], "message": "x"}
    body = await rpc(client, daemon, "send", params)
    types = {
        r["recipientAddress"]["uuid"] or r["recipientAddress"]["number"]: r["type"]
        for r in body["result"]["results"]
    }
    assert types == {BORIS: "SUCCESS", "+491700000000": "UNREGISTERED_FAILURE"}
    error = (await rpc(client, daemon, "send", {"recipient": STRANGER, "message": "x"}))["error"]
    assert error["data"]["response"]["results"][0]["type"] == "UNREGISTERED_FAILURE"
    assert daemon.texts_to(BORIS) == ["x"] and daemon.sent[0].recipient == BORIS


async def test_injected_faults(daemon: FakeSignalDaemon, client: httpx.AsyncClient) -> None:
    send = {"recipient": ALICE, "message": "x"}
    daemon.fail_next(ALICE, "identity")
    daemon.fail_next(ALICE, "network")
    daemon.fail_next(ALICE, "internal")
    internal = (await rpc(client, daemon, "send", send))["error"]
    assert internal["code"] == -32603 and internal["data"] is None
    identity = (await rpc(client, daemon, "send", send))["error"]
    assert identity["code"] == -4
    assert identity["data"]["response"]["results"][0]["type"] == "IDENTITY_FAILURE"
    network = (await rpc(client, daemon, "send", send))["error"]
    assert (network["code"], network["message"]) == (-1, "Failed to send message")
    assert network["data"]["response"]["results"][0]["type"] == "NETWORK_FAILURE"
    assert "result" in await rpc(client, daemon, "send", send)
    assert [r.error for r in daemon.requests] == [-32603, -4, -1, None]


async def test_groups(daemon: FakeSignalDaemon, client: httpx.AsyncClient) -> None:
    daemon.add_group(GROUP, members=[ALICE, BORIS, daemon.account_uuid])
    body = await rpc(client, daemon, "send", {"groupId": GROUP, "message": "an alle"})
    results = body["result"]["results"]
    assert sorted(r["recipientAddress"]["uuid"] for r in results) == sorted([ALICE, BORIS])
    assert {r["groupId"] for r in results} == {GROUP}
    assert daemon.texts_to(GROUP) == ["an alle"]
    unknown = base64.b64encode(bytes(32)).decode()
    error = (await rpc(client, daemon, "send", {"groupId": unknown, "message": "x"}))["error"]
    assert (error["code"], error["message"]) == (-1, f"Group not found: {unknown}")


async def test_get_attachment_round_trip(
    daemon: FakeSignalDaemon, client: httpx.AsyncClient
) -> None:
    daemon.send_attachment(ALICE, b"\xff\xd8jpeg", content_type="image/jpeg", caption="Foto")
    async with aconnect_sse(client, "GET", f"{daemon.url}/api/v1/events") as source:
        [event] = await next_events(source.aiter_sse(), 1)
    message = event["envelope"]["dataMessage"]
    [attachment] = message["attachments"]
    assert message["message"] == "Foto"
    assert set(attachment) == {
        "contentType",
        "filename",
        "id",
        "size",
        "width",
        "height",
        "caption",
        "uploadTimestamp",
    }
    assert attachment["id"].endswith(".jpg") and attachment["size"] == 6
    body = await rpc(client, daemon, "getAttachment", {"id": attachment["id"], "recipient": ALICE})
    assert base64.b64decode(body["result"]["data"]) == b"\xff\xd8jpeg"
    error = (await rpc(client, daemon, "getAttachment", {"id": "nope.jpg"}))["error"]
    assert error == {
        "code": -1,
        "message": "Could not find attachment with ID: nope.jpg",
        "data": None,
    }


async def test_typing_receipts_and_version(
    daemon: FakeSignalDaemon, client: httpx.AsyncClient
) -> None:
    typing = await rpc(client, daemon, "sendTyping", {"recipient": ALICE})
    assert typing["result"]["results"][0]["type"] == "SUCCESS"
    params = {"recipient": ALICE, "targetTimestamp": 1700000000000, "type": "read"}
    receipt = await rpc(client, daemon, "sendReceipt", params)
    assert receipt["result"]["results"][0]["recipientAddress"]["uuid"] == ALICE
    assert daemon.typing == [(ALICE, "STARTED")]
    assert daemon.receipts == [(ALICE, "read", [1700000000000])]
    assert (await rpc(client, daemon, "version"))["result"] == {"version": "0.14.6"}


# --- HTTP and JSON-RPC framing ------------------------------------------------------------


async def test_http_answers_like_signal_clis_server(
    daemon: FakeSignalDaemon, client: httpx.AsyncClient
) -> None:
    rpc_url = f"{daemon.url}/api/v1/rpc"
    request = '{"jsonrpc":"2.0","method":"version","id":1}'
    plain = await client.post(rpc_url, content=request, headers={"Content-Type": "text/plain"})
    assert plain.status_code == 415
    assert (await client.get(rpc_url)).status_code == 405
    assert (await client.get(f"{daemon.url}/api/v1/events/x")).status_code == 404
    assert (await client.get(f"{daemon.url}/somewhere")).status_code == 404
    json_headers = {"Content-Type": "application/json; charset=utf-8"}
    for host in ("evil.example", f"127.0.0.1:{daemon.port + 1}", "localhost:"):
        refused = await client.post(
            rpc_url, content=request, headers={**json_headers, "Host": host}
        )
        assert refused.status_code == 421, host
    for host in (f"localhost:{daemon.port}", "[::1]", "LOCALHOST"):
        allowed = await client.post(
            rpc_url, content=request, headers={**json_headers, "Host": host}
        )
        assert allowed.status_code == 200, host
    check = await client.get(f"{daemon.url}/api/v1/check", headers={"Host": "evil.example"})
    assert (check.status_code, check.content) == (200, b"")  # /check does not look at Host
    assert (await client.post(f"{daemon.url}/api/v1/check")).status_code == 405


async def test_json_rpc_framing_errors(daemon: FakeSignalDaemon, client: httpx.AsyncClient) -> None:
    url = f"{daemon.url}/api/v1/rpc"
    headers = {"Content-Type": "application/json"}

    async def post(content: str) -> httpx.Response:
        return await client.post(url, content=content, headers=headers)

    parse = (await post("{nope")).json()
    assert parse["error"]["code"] == -32700 and parse["id"] is None
    assert parse["error"]["data"] is None
    missing = (await post('{"jsonrpc":"2.0","id":3}')).json()
    assert missing == {
        "jsonrpc": "2.0",
        "error": {"code": -32600, "message": "method field must be set", "data": None},
        "id": 3,
    }
    old = (await post('{"jsonrpc":"1.0","method":"version","id":4}')).json()
    assert old["error"]["message"] == "only jsonrpc version 2.0 is supported"
    unknown = (await post('{"jsonrpc":"2.0","method":"listGroups","id":5}')).json()
    assert unknown["error"] == {"code": -32601, "message": "Method not implemented", "data": None}
    array = (await post('{"jsonrpc":"2.0","method":"send","params":[1],"id":6}')).json()
    assert array["error"]["code"] == -32600
    notification = await post('{"jsonrpc":"2.0","method":"send","params":{"recipient":"x"}}')
    assert (notification.status_code, notification.content) == (201, b"")
    batch = await post('[{"jsonrpc":"2.0","method":"version","id":7},{"jsonrpc":"2.0"}]')
    assert [r["id"] for r in batch.json()] == [7, None]
    extra = (await post('{"jsonrpc":"2.0","method":"version","id":8,"x":1}')).json()
    assert (
        extra["error"]["code"] == -32600 and 'Unrecognized field "x"' in extra["error"]["message"]
    )
    cast = await rpc(client, daemon, "send", {"recipient": ALICE, "message": "x", "noUrgent": 1})
    assert cast["error"]["code"] == -32603 and "ClassCastException" in cast["error"]["message"]
