"""Framing and events against every byte FreeSWITCH sent in the captures, and under
hypothesis: any split of a valid stream parses the same; garbage fails cleanly."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callcenter.switch.event import Event
from callcenter.switch.protocol import MAX_BODY, MAX_HEADER_BLOCK, FrameParser, ProtocolError
from tests.support.replay import FIXTURES

STREAMS = sorted(FIXTURES.glob("*.recv.esl"))
SAMPLE = (FIXTURES / "lead_transfer_callback.control.recv.esl").read_bytes()


def _frames(data: bytes) -> list:
    parser = FrameParser()
    frames = parser.feed(data)
    assert parser.buffered == 0
    return frames


def _split_by_hand(data: bytes) -> list[tuple[bytes, bytes]]:
    """An independent, slow reading of the stream: (header block, body) pairs."""
    out, pos = [], 0
    while pos < len(data):
        end = data.index(b"\n\n", pos)
        head = data[pos:end]
        length = 0
        for line in head.split(b"\n"):
            if line.startswith(b"Content-Length: "):
                length = int(line[16:])
        out.append((head, data[end + 2:end + 2 + length]))
        pos = end + 2 + length
    return out


@pytest.mark.parametrize("path", STREAMS, ids=lambda p: p.name)
def test_every_captured_frame_parses_without_loss(path: Path) -> None:
    data = path.read_bytes()
    frames = _frames(data)
    assert [(f.head, f.body) for f in frames] == _split_by_hand(data)
    for frame in frames:
        assert frame.content_type
        if frame.content_type.startswith("text/event-"):
            event = Event.from_frame(frame)
            assert event.name and event.sequence > 0 and event.timestamp_us > 10**15
            # Every header line of the event is readable, body apart.
            assert all(name for name, _ in event.pairs())
            assert "Content-Length" not in event


def test_background_job_body_is_kept_apart() -> None:
    jobs = [Event.from_frame(f) for f in _frames(SAMPLE)
            if f.content_type == "text/event-plain"]
    assert [e.name for e in jobs] == ["BACKGROUND_JOB", "BACKGROUND_JOB"]
    job = jobs[0]
    assert job.body.startswith(b"+OK ") and job.body.endswith(b"\n")
    assert job["Job-Command"] == "originate"
    assert "Content-Length" not in job  # greenswitch glued the body into this header


def test_outbound_connect_reply_and_linger_notice() -> None:
    frames = _frames((FIXTURES / "outbound_socket.session.recv.esl").read_bytes())
    connect = frames[0]
    assert connect.content_type == "command/reply"
    assert connect.get("Reply-Text") == "+OK\n"  # sent encoded as %2BOK%0A
    assert connect.get("Socket-Mode") == "async" and connect.get("Control") == "full"
    channel = Event(connect.head)
    assert channel["Caller-Caller-ID-Number"] == "0912345678"
    assert channel["Channel-Caller-ID-Name"] == "Nguyen Van A"
    linger = frames[-1]
    assert linger.content_type == "text/disconnect-notice"
    assert (linger.get("Content-Disposition"), linger.get("Linger-Time")) == ("linger", "-1")
    assert linger.body == b""


def test_headers_are_decoded_only_when_read() -> None:
    frame = next(f for f in _frames((FIXTURES / "call_answered.observer.recv.esl").read_bytes())
                 if f.content_type == "text/event-plain")
    event = Event.from_frame(frame)
    assert event._raw is None
    assert event.name == "API"
    assert event._raw is None  # the name is read without splitting the event
    assert event["FreeSWITCH-IPv6"] == "fd00::2"
    assert event._raw is not None and list(event._decoded) == ["FreeSWITCH-IPv6"]


def test_duplicate_headers_are_kept_in_pairs() -> None:
    events = [Event.from_frame(f)
              for f in _frames((FIXTURES / "call_answered.observer.recv.esl").read_bytes())
              if f.content_type == "text/event-plain"]
    complete = next(e for e in events if e.name == "CHANNEL_HANGUP_COMPLETE")
    causes = [v for k, v in complete.pairs() if k == "Hangup-Cause"]
    assert causes == ["NORMAL_CLEARING", "NORMAL_CLEARING"]


def test_cc_helpers() -> None:
    events = [Event.from_frame(f)
              for f in _frames((FIXTURES / "call_answered.observer.recv.esl").read_bytes())
              if f.content_type == "text/event-plain"]
    start = next(e for e in events if e.cc_action == "bridge-agent-start")
    assert start.handler_key == "callcenter::info"
    assert start.cc("Queue") == "f0_home_care@hotline1022"
    assert start.cc("Agent") == "agent1001@hotline1022"
    assert start.cc("Member-CID-Number") == "0912345678"


# -- property-based -------------------------------------------------------------------

@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=1, max_value=len(SAMPLE) - 1), max_size=40))
def test_any_split_parses_the_same(cuts: list[int]) -> None:
    expected = [(f.head, f.body) for f in _frames(SAMPLE)]
    parser, got, start = FrameParser(), [], 0
    for cut in [*sorted(set(cuts)), len(SAMPLE)]:
        got += [(f.head, f.body) for f in parser.feed(SAMPLE[start:cut])]
        start = cut
    assert got == expected and parser.buffered == 0


@settings(max_examples=300)
@given(st.binary(max_size=4096))
def test_garbage_fails_cleanly(garbage: bytes) -> None:
    parser = FrameParser()
    try:
        for frame in parser.feed(garbage):
            assert frame.content_type is not None
    except ProtocolError:
        return
    assert parser.buffered <= len(garbage)


@settings(max_examples=100)
@given(st.integers(min_value=1, max_value=len(SAMPLE) - 1))
def test_truncated_stream_waits_without_losing_frames(cut: int) -> None:
    parser = FrameParser()
    first = parser.feed(SAMPLE[:cut])
    rest = parser.feed(SAMPLE[cut:])
    assert len(first) + len(rest) == len(_frames(SAMPLE))


@pytest.mark.parametrize("head", [
    b"Content-Type: api/response\nContent-Length: 99999999999\n\n",
    b"Content-Type: api/response\nContent-Length: " + str(MAX_BODY + 1).encode() + b"\n\n",
    b"Content-Type: api/response\nContent-Length: -4\n\n",
    b"Content-Type: api/response\nContent-Length: 4x\n\n",
    b"Reply-Text: +OK\n\n",
    b"Content-Type: command/reply\nthis is not a header\n\n",
])
def test_bad_frames_are_refused(head: bytes) -> None:
    with pytest.raises(ProtocolError):
        FrameParser().feed(head)


def test_endless_header_block_is_refused() -> None:
    parser = FrameParser()
    with pytest.raises(ProtocolError, match="no end of headers"):
        for _ in range(MAX_HEADER_BLOCK // 65536 + 2):
            parser.feed(b"X-Header: " + b"a" * 65536 + b"\n")


def test_event_body_length_must_match() -> None:
    with pytest.raises(ProtocolError, match="body is 3 bytes"):
        Event.from_plain(b"Event-Name: BACKGROUND_JOB\nContent-Length: 5\n\nabc")
