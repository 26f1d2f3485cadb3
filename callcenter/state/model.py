"""What the daemon knows of the switch at any moment, as plain data (no I/O, no clock)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Call results, as the call table stores them.
ANSWERED, ABANDONED, IVR_HANGUP, NO_AGENT, OVERFLOW = (
    "answered", "abandoned", "ivr_hangup", "no_agent", "overflow")


@dataclass
class QueueLeg:
    """The caller's time in one queue (one mod_callcenter member): a call transferred to
    another topic's queue has one leg per queue, each with its own agent."""

    member_uuid: str
    queue: str
    queued_us: int
    offered_us: int | None = None
    answered_us: int | None = None
    agent: str | None = None
    agent_leg: str | None = None
    ended_us: int | None = None
    cause: str | None = None  # member-queue-end: Terminated, or the cancel reason


@dataclass
class CallState:
    """One caller's call, from the IVR to the hangup. Times are epoch microseconds.

    `queue`, `member_uuid`, `agent` and `agent_leg` are those of the latest queue leg;
    `queued_us`, `offered_us` and `answered_us` the first ones (the caller's wait)."""

    uuid: str
    caller_number: str
    caller_name: str = ""
    destination: str = ""
    started_us: int = 0
    menu_choice: str | None = None
    queue: str | None = None
    member_uuid: str | None = None
    queued_us: int | None = None
    offered_us: int | None = None
    answered_us: int | None = None
    ended_us: int | None = None
    agent: str | None = None
    agent_leg: str | None = None
    hangup_cause: str | None = None
    cancel_reason: str | None = None
    result: str | None = None
    recording: str | None = None
    callback_owed: bool = False  # a callback was asked for (once)
    legs: list[QueueLeg] = field(default_factory=list)  # one per queue joined, in order

    def leg(self, member_uuid: str) -> QueueLeg | None:
        return next((leg for leg in self.legs if leg.member_uuid == member_uuid), None)

    @property
    def phase(self) -> str:
        if self.ended_us is not None:
            return "ended"
        if self.answered_us is not None:
            return "talking"
        if self.queued_us is not None:
            return "queued"
        return "ivr"


@dataclass
class Member:
    """A caller waiting in a queue (mod_callcenter's member)."""

    uuid: str
    session_uuid: str
    caller_number: str
    joined_us: int
    state: str = "Waiting"  # Waiting | Trying | Answered | Abandoned
    base_score: int = 0  # cc_base_score: a returning caller at risk waits less
    case_id: int | None = None  # the caller's open case of this topic (the IVR found it)


@dataclass
class QueueState:
    name: str
    members: dict[str, Member] = field(default_factory=dict)  # member uuid → member
    count: int = 0  # mod_callcenter's members-count (Waiting + Trying)
    answered: int = 0
    abandoned: int = 0
    # Moving average of how long answered callers waited (µs): the estimate told to a newcomer.
    wait_average_us: float | None = None

    def waiting(self) -> list[Member]:
        """Members not yet answered, longest waiting first (their positions in the queue)."""
        return sorted((m for m in self.members.values() if m.state in ("Waiting", "Trying")),
                      key=lambda m: m.joined_us)

    def answered_after(self, waited_us: int, weight: float = 0.25) -> None:
        """Fold one answered caller's wait into the moving average."""
        if self.wait_average_us is None:
            self.wait_average_us = float(waited_us)
        else:
            self.wait_average_us += weight * (waited_us - self.wait_average_us)


@dataclass
class AgentState:
    name: str
    status: str = "Logged Out"
    state: str = "Waiting"
    since_us: int = 0  # when the status or state last changed
    call: str | None = None  # the member channel's uuid while bridged
    calls_answered: int = 0
    no_answers: int = 0
    last_no_answer: str = ""  # the member and ring time of the last one counted


@dataclass
class LiveState:
    queues: dict[str, QueueState] = field(default_factory=dict)
    agents: dict[str, AgentState] = field(default_factory=dict)
    calls: dict[str, CallState] = field(default_factory=dict)  # member channel uuid → call
    legs: dict[str, str] = field(default_factory=dict)  # agent channel uuid → agent name
    last_event_us: int = 0
    events: int = 0

    def queue(self, name: str) -> QueueState:
        queue = self.queues.get(name)
        if queue is None:
            queue = self.queues[name] = QueueState(name)
        return queue

    def agent(self, name: str) -> AgentState:
        agent = self.agents.get(name)
        if agent is None:
            agent = self.agents[name] = AgentState(name)
        return agent
